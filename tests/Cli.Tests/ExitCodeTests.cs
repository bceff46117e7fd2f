using Vz.Tests;

namespace Vz.Cli.Tests;

public class ExitCodeTests
{
    [Theory]
    [InlineData(3, 0, ExitCodes.Ok)]
    [InlineData(2, 1, ExitCodes.PartialFailure)]
    [InlineData(0, 3, ExitCodes.AllFailed)]
    [InlineData(0, 0, ExitCodes.Ok)]
    public void FleetExitCodeFollowsHowManyNodesFailed(int ok, int failed, int expected) =>
        Assert.Equal(expected, ExitCodes.ForFleet(ok, failed));

    [Theory]
    [InlineData(0, ExitCodes.Ok)]
    [InlineData(4, ExitCodes.TracedCommandFailed)]
    [InlineData(-1, ExitCodes.TracedCommandFailed)]
    public void TraceExitCodeFollowsTheTracedProgram(int program, int expected) =>
        Assert.Equal(expected, ExitCodes.ForTrace(program));

    [Fact]
    public void ExitCodesAreDistinct()
    {
        var values = typeof(ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
    }

    [Fact]
    public void EveryExitCodeIsDocumentedInTheReadme()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        foreach (var f in typeof(ExitCodes).GetFields().Where(f => f.IsLiteral))
            Assert.Contains($"| {(int)f.GetRawConstantValue()!} |", readme);
    }

    [Fact]
    public void UnknownOptionIsAUsageError()
    {
        var (exit, _, stderr) = Run("--no-such-option");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--no-such-option", stderr);
    }

    [Fact]
    public void HelpListsTheCommands()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(0, exit);
        foreach (var c in new[] { "trace", "ldd", "spec", "bundle", "image", "minify", "push" })
            Assert.Contains(c, stdout);
    }

    static (int Exit, string StdOut, string StdErr) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = Program.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
