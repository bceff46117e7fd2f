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
    [InlineData(2, 1, 1)]
    [InlineData(0, 3, 1)]
    [InlineData(0, 1, 1)]
    public void ABugOnAnyNodeMakesTheFleetExitCodeTheInternalError(int ok, int failed, int bugs) =>
        Assert.Equal(ExitCodes.InternalError, ExitCodes.ForFleet(ok, failed, bugs));

    [Fact]
    public async Task AnUnexpectedExceptionIsReportedAsABugWithItsOwnExitCode()
    {
        var stderr = new StringWriter();
        var exit = await CommandAction.RunAsync(() => throw new InvalidOperationException("sequence contains no elements"), stderr);
        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.StartsWith("vzbuild: internal error: this is a bug in vz, please report it: System.InvalidOperationException: sequence contains no elements", stderr.ToString());
    }

    [Fact]
    public async Task AVzExceptionIsOneLineWithItsCodeAndAHint()
    {
        var stderr = new StringWriter();
        var exit = await CommandAction.RunAsync(() => throw new VzException(CoreErrors.CannotStart, "cannot run strace", "install strace"), stderr);
        Assert.Equal((ExitCodes.Error, "vzbuild: error VZ0001: cannot run strace\n  hint: install strace\n"), (exit, stderr.ToString()));
    }

    [Fact]
    public async Task CancellationIsAnInterruptionNotABug()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Interrupted, await CommandAction.RunAsync(() => throw new OperationCanceledException(), stderr));
    }

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
    public void TheReadmeTableHasOneRowPerExitCodeEachNamingWhoReturnsIt()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        var table = readme[readme.IndexOf("\n## Exit codes", StringComparison.Ordinal)..readme.IndexOf("\nError codes are listed", StringComparison.Ordinal)];
        var rows = table.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^\\| [0-9]+ \\|")).ToList();
        var constants = typeof(ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).Order();
        Assert.Equal(constants, rows.Select(r => int.Parse(r.Split('|')[1])).Order());
        Assert.All(rows, r => Assert.Matches("\\| (every command|`[a-z ]+`(, `[a-z ]+`)*) \\|$", r));
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
