using Vz.Cli.Help;

namespace Vz.Cli.Tests;

/// <summary>Command lines the parser refuses: exit 2, vzbuild's words (no .NET type names, no stack trace) and a hint.</summary>
public class UsageErrorTests
{
    static (int Exit, string StdErr) Run(params string[] args)
    {
        var stderr = new StringWriter();
        var exit = Program.Run(args, new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [Theory]
    [InlineData(new[] { "deplo" }, "vzbuild: unknown command 'deplo'\n  hint: did you mean vzbuild deploy?\n")]
    [InlineData(new[] { "push", "--paralel", "3", "x.tar", "--to", "a" }, "vzbuild: unknown option '--paralel'\n  hint: did you mean --parallel?\n")]
    [InlineData(new[] { "ps", "--json", "extra" }, "vzbuild: unexpected argument 'extra'\n  hint: vzbuild ps --help shows its usage, options and examples\n")]
    [InlineData(new[] { "-v" }, "vzbuild: unknown option '-v'\n  hint: did you mean --version?\n")]
    [InlineData(new[] { "ps", "-x" }, "vzbuild: unknown option '-x'\n  hint: vzbuild ps --help shows its usage, options and examples\n")]
    [InlineData(new[] { "ps", "--jsn" }, "vzbuild: unknown option '--jsn'\n  hint: did you mean --json?\n")]
    [InlineData(new[] { "spec", "chek", "x.spec" }, "  hint: did you mean vzbuild spec check?\n")]
    [InlineData(new[] { "deploy", "--grop", "web" }, "  hint: did you mean --group?\n")]
    [InlineData(new[] { "bundle" }, "vzbuild: missing <spec>: The spec naming the files to bundle (from trace, ldd or minify)\n  hint: vzbuild bundle --help shows its usage, options and examples\n")]
    [InlineData(new[] { "image", "app.bundle" }, "vzbuild: missing --tag <name:tag>: Image name, e.g. localhost/web:1.0\n")]
    [InlineData(new[] { "node", "add" }, "  hint: vzbuild node add --help shows its usage, options and examples\n")]
    [InlineData(new[] { "bundle", "x.spec", "--compress", "Brotli" }, "vzbuild: --compress: 'Brotli' is not one of Zstd, Xz, Gzip, None\n")]
    [InlineData(new[] { "push", "x.tar", "--to", "a", "--parallel", "abc" }, "vzbuild: --parallel: 'abc' is not a whole number\n")]
    [InlineData(new[] { "node", "add", "h", "--port", "x" }, "vzbuild: --port: 'x' is not a whole number\n")]
    [InlineData(new[] { "logs", "web", "-n", "many" }, "vzbuild: --lines: 'many' is not a whole number\n")]
    [InlineData(new[] { "deploy", "--parallel", "0" }, "vzbuild: --parallel must be from 1 to 256, got 0\n")]
    [InlineData(new[] { "ps", "--retries", "99" }, "vzbuild: --retries must be from 0 to 20, got 99\n")]
    [InlineData(new[] { "deploy", "-c" }, "vzbuild: --config needs a value <file>: The fleet file\n")]
    [InlineData(new[] { "completion", "fish" }, "vzbuild: <shell>: 'fish' is not one of bash, zsh\n")]
    public void AUsageErrorSaysWhatIsWrongInOneLineAndGivesAHint(string[] args, string expected)
    {
        var (exit, stderr) = Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("System.", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.All(stderr.TrimEnd('\n').Split('\n'), l => Assert.True(l.StartsWith("vzbuild: ", StringComparison.Ordinal) || l.StartsWith("  hint: ", StringComparison.Ordinal), l));
    }

    [Fact]
    public void AnUnknownWordWhereACommandBelongsIsNotAlsoAMissingCommand()
    {
        var (_, stderr) = Run("node", "ad");
        Assert.DoesNotContain("Required command", stderr);
        Assert.Contains("did you mean vzbuild node add?", stderr);
    }

    [Theory]
    [InlineData("deplo", "deploy")]
    [InlineData("rolback", "rollback")]
    [InlineData("hist", "history")]
    [InlineData("--grop", "--group")]
    [InlineData("xyz", null)]
    [InlineData("p", null)]
    [InlineData("-g", "--group")]
    [InlineData("-x", null)]
    public void TheNearestNameIsAtMostTwoEditsAwayOrTheOnlyOneStartingSo(string word, string? expected) =>
        Assert.Equal(expected, UsageErrors.Nearest(word, ["deploy", "diff", "rollback", "history", "ps", "push", "playbook", "--group", "--pod"]));
}
