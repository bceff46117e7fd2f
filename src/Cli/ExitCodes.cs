namespace Vz.Cli;

/// <summary>vzbuild's exit codes; the README's table lists the same. Tested in ExitCodeTests.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;
    /// <summary>An error stopped the command (one line on stderr with a VZ code).</summary>
    public const int Error = 1;
    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;
    /// <summary>trace/minify: the traced program exited non-zero; the spec was still written.</summary>
    public const int TracedCommandFailed = 3;
    /// <summary>push/deploy: some nodes succeeded and some failed; the failed ones are named.</summary>
    public const int PartialFailure = 4;
    /// <summary>push/deploy: every node failed.</summary>
    public const int AllFailed = 5;
    /// <summary>spec check: the spec names paths that do not exist or globs that match nothing.</summary>
    public const int CheckFailed = 6;
    /// <summary>node check: some node is not ready (or could not be checked); the table says why.</summary>
    public const int NodesNotReady = 8;
    /// <summary>
    /// deploy: a new version failed its check on some node and was rolled back there (the old one
    /// runs); the rollout halted. Apart from 4/5 so scripts tell a bad release from bad nodes.
    /// </summary>
    public const int RolledBack = 7;
    /// <summary>
    /// diff: every node was read and some differ from the fleet file (one line per difference).
    /// Apart from 4/5 (nodes not read), so a script tells "drifted" from "could not look".
    /// </summary>
    public const int Drifted = 9;
    /// <summary>
    /// An internal error: a bug in vz (an exception vz did not expect), reported as such with its
    /// type and message, never as a failure of the node or the input. 70 is EX_SOFTWARE (sysexits.h).
    /// </summary>
    public const int InternalError = 70;
    /// <summary>Interrupted by Ctrl-C.</summary>
    public const int Interrupted = 130;

    /// <summary>Every exit code in a few words, for <c>vzbuild --help</c> (the README's table says which commands return each).</summary>
    public static IReadOnlyList<(int Code, string Words)> Summary { get; } =
    [
        (Ok, "done"),
        (Error, "error (a VZ code on stderr)"),
        (Usage, "bad command line"),
        (TracedCommandFailed, "traced program failed"),
        (PartialFailure, "some nodes failed"),
        (AllFailed, "every node failed"),
        (CheckFailed, "spec check found problems"),
        (RolledBack, "rolled back"),
        (NodesNotReady, "a node is not ready"),
        (Drifted, "nodes drifted"),
        (InternalError, "a bug in vz"),
        (Interrupted, "interrupted"),
    ];

    /// <summary>The exit code for trace/minify, from the traced program's exit code.</summary>
    public static int ForTrace(int programExitCode) => programExitCode == 0 ? Ok : TracedCommandFailed;

    /// <summary>The exit code for a fleet operation, from how many nodes succeeded and failed; a bug on any node wins.</summary>
    public static int ForFleet(int succeeded, int failed, int internalErrors = 0) =>
        internalErrors > 0 ? InternalError : failed == 0 ? Ok : succeeded == 0 ? AllFailed : PartialFailure;

    /// <summary>The exit code for diff: a bug wins, then nodes not read (4 some, 5 all), then drift; 0 converged.</summary>
    public static int ForDiff(Vz.Deploy.Drift.DriftOutcome outcome, int read, int failed, int internalErrors = 0) =>
        internalErrors > 0 || failed > 0 ? ForFleet(read, failed, internalErrors)
        : outcome == Vz.Deploy.Drift.DriftOutcome.Drifted ? Drifted
        : Ok;

    /// <summary>The exit code for deploy: a bug on any node wins, then a rollback, then push's 0/4/5.</summary>
    public static int ForDeploy(Vz.Deploy.Rollout.FleetOutcome outcome, int internalErrors = 0) =>
        internalErrors > 0 ? InternalError : outcome switch
        {
            Vz.Deploy.Rollout.FleetOutcome.AllOk => Ok,
            Vz.Deploy.Rollout.FleetOutcome.RolledBack => RolledBack,
            Vz.Deploy.Rollout.FleetOutcome.SomeFailed => PartialFailure,
            _ => AllFailed,
        };

    /// <summary>node check's exit code: every node ready, else <see cref="NodesNotReady"/>; a bug on any node wins.</summary>
    public static int ForNodeCheck(int ready, int notReady, int internalErrors = 0) =>
        internalErrors > 0 ? InternalError : notReady == 0 ? Ok : NodesNotReady;
}
