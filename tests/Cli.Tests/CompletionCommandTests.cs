using Vz.Cli.Commands;

namespace Vz.Cli.Tests;

/// <summary>`vzbuild completion` and the [suggest] directive its scripts call (the scripts run in real shells in Integration.Tests/Cli).</summary>
public class CompletionCommandTests
{
    static (int Exit, string StdOut) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var exit = Program.Run(args, stdout, new StringWriter());
        return (exit, stdout.ToString());
    }

    [Theory]
    [InlineData("bash", "complete -o default -o bashdefault -F _vzbuild_complete vzbuild")]
    [InlineData("zsh", "compdef _vzbuild vzbuild")]
    public void EachShellsScriptRegistersItselfForVzbuildAndAsksVzbuildThroughTheSuggestDirective(string shell, string registration)
    {
        var script = CompletionCommand.Script(shell);
        Assert.Contains(registration, script);
        Assert.Contains("\"[suggest:${#line}]\" \"$line\"", script);
    }

    [Theory]
    [InlineData("vzbuild de", "deploy")]
    [InlineData("vzbuild deploy --gr", "--group")]
    [InlineData("vzbuild bundle x.spec --compress ", "Zstd")]
    [InlineData("vzbuild completion ", "zsh")]
    public void TheSuggestDirectiveAnswersWhatTheLineUpToTheCursorCanContinueWith(string line, string expected)
    {
        var (exit, stdout) = Run($"[suggest:{line.Length}]", line);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains(expected, stdout.Split('\n'));
    }
}
