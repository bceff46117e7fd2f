using System.CommandLine;
using Vz.Cli.Help;

namespace Vz.Cli.Commands;

/// <summary>
/// <c>vzbuild completion bash|zsh</c>: prints the shell's completion script (src/Cli/Completion).
/// The scripts ask vzbuild itself through System.CommandLine's <c>[suggest:POSITION]</c> directive,
/// so completions always match the installed vzbuild's commands and options.
/// </summary>
internal static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh"];

    public static VzCommand Create()
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash or zsh" };
        shell.AcceptOnlyFromAmong(Shells);
        var cmd = new VzCommand("completion", "Print the bash or zsh completion script",
            "Print a script that makes the shell complete vzbuild's commands, options and option values (file names where it has none). " +
            "vzbuild answers the shell itself, so completion follows the vzbuild on PATH.")
        {
            Examples =
            [
                new("source <(vzbuild completion bash)", "in ~/.bashrc"),
                new("vzbuild completion bash > /etc/bash_completion.d/vzbuild", "for every user"),
                new("source <(vzbuild completion zsh)", "in ~/.zshrc, after compinit"),
            ],
        };
        cmd.Arguments.Add(shell);
        CommandAction.Set(cmd, parse =>
        {
            Console.Out.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The completion script for a shell, as embedded from src/Cli/Completion.</summary>
    public static string Script(string shell)
    {
        using var stream = typeof(CompletionCommand).Assembly.GetManifestResourceStream($"vzbuild.{shell}")
            ?? throw new InvalidOperationException($"no completion script for {shell} is embedded");
        return new StreamReader(stream).ReadToEnd();
    }
}
