using Vz.Cli.Commands;
using Vz.Deploy.Drift;

namespace Vz.Cli.Tests;

/// <summary>ps, diff, logs, rollback and history as the command line sees them; their node work is tested on harness nodes.</summary>
public class FleetViewCommandTests
{
    [Theory]
    [InlineData(DriftOutcome.Converged, 3, 0, 0, ExitCodes.Ok)]
    [InlineData(DriftOutcome.Drifted, 3, 0, 0, ExitCodes.Drifted)]
    [InlineData(DriftOutcome.Errors, 2, 1, 0, ExitCodes.PartialFailure)]
    [InlineData(DriftOutcome.Errors, 0, 3, 0, ExitCodes.AllFailed)]
    [InlineData(DriftOutcome.Drifted, 2, 1, 1, ExitCodes.InternalError)]
    public void DiffExitsConvergedDriftedOrNotReadApart(DriftOutcome outcome, int read, int failed, int bugs, int expected) =>
        Assert.Equal(expected, ExitCodes.ForDiff(outcome, read, failed, bugs));

    [Theory]
    [InlineData("10m", "-600s")]
    [InlineData("1h30m", "-5400s")]
    [InlineData("2025-01-02 03:04:05", "2025-01-02 03:04:05")]
    [InlineData("today", "today")]
    public void SinceTakesADurationOrAJournalctlTime(string given, string passed) => Assert.Equal(passed, LogsCommand.Since(given));

    [Fact]
    public void HelpListsTheFleetViewCommands()
    {
        var (exit, stdout, _) = Run("--help");
        Assert.Equal(0, exit);
        foreach (var c in new[] { "ps", "diff", "logs", "rollback", "history" })
            Assert.Contains($"  {c} ", stdout);
    }

    [Fact]
    public void LogsWithoutAPodOrADownloadSaysWhatToName()
    {
        var (exit, _, stderr) = Run("logs");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("vzbuild: name the pod: vzbuild logs POD (or --download DIR for whole journals)", stderr);
        Assert.Contains("hint: vzbuild logs --help", stderr);
        Assert.Equal(ExitCodes.Usage, Run("logs", "web", "--unit", "vz-web.service").Exit);
        Assert.Equal(ExitCodes.Usage, Run("logs", "web", "-n", "-1").Exit);
    }

    [Fact]
    public void LogsDownloadTakesNoPodOrFollow()
    {
        var (exit, _, stderr) = Run("logs", "web", "--download", "/nonexistent-dir");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--download takes no POD", stderr);
    }

    static (int Exit, string StdOut, string StdErr) Run(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var saved = Console.Error;
        Console.SetError(stderr);
        try
        {
            var exit = Program.Run(args, stdout, stderr);
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}
