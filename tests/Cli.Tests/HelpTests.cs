using System.CommandLine;
using System.Text.RegularExpressions;
using Vz.Bundle.Minify;
using Vz.Cli.Help;

namespace Vz.Cli.Tests;

/// <summary>vzbuild --help, each command's help and its examples, run through the real parser.</summary>
public class HelpTests
{
    static (int Exit, string StdOut, string StdErr) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Every command under the root with the words that reach it ("node", "add").</summary>
    static IEnumerable<(string[] Path, Command Command)> Commands(Command parent, string[] path)
    {
        foreach (var c in parent.Subcommands)
        {
            string[] here = [.. path, c.Name];
            yield return (here, c);
            foreach (var sub in Commands(c, here))
                yield return sub;
        }
    }

    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        foreach (var (path, _) in Commands(Program.BuildRoot(), []))
            data.Add(string.Join(' ', path));
        return data;
    }

    static VzCommand Find(string path)
    {
        Command c = Program.BuildRoot();
        foreach (var name in path.Split(' '))
            c = c.Subcommands.Single(s => s.Name == name);
        return Assert.IsType<VzCommand>(c);
    }

    /// <summary>
    /// The arguments vzbuild gets from an example's shell line: the words after "vzbuild" up to a
    /// pipe, a redirect, &amp;&amp; or the end of a process or command substitution.
    /// </summary>
    internal static string[] VzbuildWords(string line)
    {
        var words = ShellWords.Split(line, "example", 1);
        var start = words.ToList().FindIndex(w => w == "vzbuild" || w.EndsWith("(vzbuild", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no vzbuild in example: {line}");
        var args = new List<string>();
        foreach (var w in words.Skip(start + 1))
        {
            if (w is "|" or "&&" or "||" or ";" or ">" or ">>" or "2>")
                break;
            if (words[start] != "vzbuild" && w.EndsWith(')'))
            {
                args.Add(w[..^1]);
                break;
            }
            args.Add(w);
        }
        return [.. args];
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryCommandHasASummaryAndAnExample(string path)
    {
        var command = Find(path);
        Assert.False(string.IsNullOrWhiteSpace(command.Summary));
        Assert.False(string.IsNullOrWhiteSpace(command.Description));
        Assert.NotEmpty(command.Examples);
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryExampleParsesToItsCommandWithoutErrors(string path)
    {
        var command = Find(path);
        foreach (var example in command.Examples)
        {
            var parse = Program.BuildRoot().Parse(VzbuildWords(example.Line));
            Assert.True(parse.Errors.Count == 0, $"{example.Line}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            // A group's examples show its commands (vzbuild node: node add, node check).
            var parsed = UsageErrors.CommandPath(parse.CommandResult);
            Assert.True(parsed == "vzbuild " + path || parsed.StartsWith($"vzbuild {path} ", StringComparison.Ordinal), $"{example.Line} parses as {parsed}");
        }
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryCommandsHelpEndsWithItsExamples(string path)
    {
        var (exit, stdout, _) = Run([.. path.Split(' '), "--help"]);
        Assert.Equal(ExitCodes.Ok, exit);
        var examples = stdout[stdout.IndexOf("\nExamples:\n", StringComparison.Ordinal)..];
        foreach (var example in Find(path).Examples)
            Assert.Contains("  " + example.Line, examples);
    }

    [Fact]
    public void ExamplesAreCutAtThePipeAndTheProcessSubstitution()
    {
        Assert.Equal(["deploy", "--json"], VzbuildWords("vzbuild deploy --json | jq '.nodes[] | {node, outcome}'"));
        Assert.Equal(["completion", "bash"], VzbuildWords("source <(vzbuild completion bash)"));
        Assert.Equal(["image", "b", "-t", "x:1"], VzbuildWords("d=$(vzbuild image b -t x:1)"));
        Assert.Equal(["node", "add", "h", "--password-stdin"], VzbuildWords("printf '%s\\n' \"$PW\" | vzbuild node add h --password-stdin"));
    }

    [Fact]
    public void TheRootHelpGroupsTheCommandsBuildShipRunNodesInThatOrder()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(ExitCodes.Ok, exit);
        var headings = new[] { "\nBuild ", "\nShip ", "\nRun ", "\nNodes:", "\nShell:", "\nOptions:", "\nExamples:", "\nExit codes:" }
            .Select(h => stdout.IndexOf(h, StringComparison.Ordinal)).ToList();
        Assert.All(headings, i => Assert.True(i >= 0, stdout));
        Assert.Equal(headings.Order(), headings);
        Assert.True(stdout.IndexOf("  minify ", StringComparison.Ordinal) < headings[1]);
        Assert.InRange(stdout.IndexOf("  push ", StringComparison.Ordinal), headings[1], headings[2]);
        Assert.InRange(stdout.IndexOf("  deploy ", StringComparison.Ordinal), headings[2], headings[3]);
        Assert.InRange(stdout.IndexOf("  node add ", StringComparison.Ordinal), headings[3], headings[4]);
    }

    [Fact]
    public void TheRootHelpListsEveryCommandThatRunsSomething()
    {
        var (_, stdout, _) = Run("--help");
        foreach (var (path, command) in Commands(Program.BuildRoot(), []))
            if (command.Subcommands.Count == 0)
                Assert.Contains($"\n  {string.Join(' ', path)} ", stdout);
    }

    [Fact]
    public void TheRootHelpFitsEightyColumnsAndNamesEveryExitCode()
    {
        var (_, stdout, _) = Run("--help");
        Assert.All(stdout.Split('\n'), l => Assert.True(l.Length <= HelpText.Width, $"{l.Length} columns: {l}"));
        var exitCodes = stdout[stdout.IndexOf("Exit codes:", StringComparison.Ordinal)..].ReplaceLineEndings(" ");
        foreach (var (code, _) in ExitCodes.Summary)
            Assert.Contains($" {code} ", exitCodes);
        var constants = typeof(ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).Order();
        Assert.Equal(constants, ExitCodes.Summary.Select(c => c.Code).Order());
    }

    [Fact]
    public void NoCommandShowsTheRootHelp()
    {
        var (exit, stdout, stderr) = Run();
        Assert.Equal((ExitCodes.Ok, ""), (exit, stderr));
        Assert.StartsWith("vzbuild ", stdout);
        Assert.Contains("\nRun pods on the fleet:\n", stdout);
    }

    [Fact]
    public void AGroupWithoutItsCommandShowsItsHelpWithOneLinePerCommand()
    {
        var (exit, stdout, _) = Run("node");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("Usage:\n  vzbuild node COMMAND", stdout);
        Assert.Matches($"\n  add +{Regex.Escape(Find("node add").Summary)}\n", stdout);
        Assert.Matches($"\n  check +{Regex.Escape(Find("node check").Summary)}\n", stdout);
    }

    [Theory]
    [InlineData("trace", "vzbuild trace [options] -- <command>...")]
    [InlineData("minify", "vzbuild minify --from <source> [options] -- <command>...")]
    public void TheUsageLineShowsTheDashDashBeforeATracedCommand(string command, string usage)
    {
        var (exit, stdout, _) = Run(command, "--help");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains($"\nUsage:\n  {usage}\n\nArguments:\n", stdout);
        Assert.Contains("\nOptions:\n", stdout);
        Assert.Single(Regex.Matches(stdout, "\nUsage:\n"));
    }

    [Fact]
    public void WithUsageReplacesOnlyTheLineUnderTheUsageHeading() =>
        Assert.Equal("Description:\n  d\n\nUsage:\n  new [x]\n\nOptions:\n", HelpText.WithUsage("Description:\n  d\n\nUsage:\n  old <y>\n\nOptions:\n", "new [x]"));

    [Theory]
    [InlineData("help")]
    [InlineData("help push")]
    [InlineData("help node add")]
    public void HelpAsACommandShowsTheHelpOfWhatFollows(string line)
    {
        var words = line.Split(' ');
        var (exit, stdout, stderr) = Run(words);
        Assert.Equal((ExitCodes.Ok, ""), (exit, stderr));
        Assert.Equal(Run([.. words[1..], "--help"]).StdOut, stdout);
    }

    [Fact]
    public void HelpHasNoDosSpellings()
    {
        var (_, stdout, _) = Run("push", "--help");
        Assert.Contains("-h, --help", stdout);
        Assert.DoesNotContain("-?", stdout);
        Assert.DoesNotContain("/h", stdout);
    }
}
