using System.Diagnostics;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Runner;

/// <summary>How the runner goes over a fleet.</summary>
public sealed record FleetOptions
{
    /// <summary>The most nodes worked on at once (each holds an SSH connection and a payload stream).</summary>
    public const int MaxParallel = 256;
    /// <summary>The most retries per node: with the growing delay, 20 already wait 3.5 minutes on a dead node.</summary>
    public const int MaxRetries = 20;

    /// <summary>Nodes worked on at once: 1 to <see cref="MaxParallel"/>.</summary>
    public int Parallel { get; init; } = 4;
    /// <summary>New attempts (a fresh connection each) after a <see cref="TransportException"/>, 0 to <see cref="MaxRetries"/>; nothing else is retried.</summary>
    public int Retries { get; init; } = 2;
    /// <summary>Wait before attempt n+1 is n times this.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>What a step is given for one attempt on one node: the node, an open transport to it, and which attempt (0 first).</summary>
public sealed record NodeAttempt(NodeTarget Target, INodeTransport Node, int Attempt);

/// <summary>
/// Runs one step on every node of a fleet: at most <see cref="FleetOptions.Parallel"/> nodes at
/// once, a connection per attempt, retries only for a broken link (<see cref="TransportException"/>),
/// and one <see cref="StepOutcome{T}"/> per node, in the order of the targets. A step's
/// <see cref="VzException"/> fails its node; any other exception is a bug: its node is an
/// internal error (never retried, never "connection lost"), and the other nodes go on.
/// Cancellation stops the run with <see cref="OperationCanceledException"/>.
/// Push stands on it (<c>Pusher</c>); deploy, ps, logs and node add are meant to as well.
/// </summary>
public sealed class FleetRunner(INodeConnector connector, IReporter reporter, FleetOptions options)
{
    public async Task<FleetResult<T>> RunAsync<T>(IReadOnlyList<NodeTarget> targets,
        Func<NodeAttempt, CancellationToken, Task<T>> step, CancellationToken ct = default)
    {
        var outcomes = new StepOutcome<T>[targets.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallel), CancellationToken = ct },
            async (i, token) => outcomes[i] = await RunNodeAsync(targets[i], step, token));
        return new FleetResult<T>(outcomes);
    }

    async Task<StepOutcome<T>> RunNodeAsync<T>(NodeTarget target, Func<NodeAttempt, CancellationToken, Task<T>> step, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            StepOutcome<T> Outcome(StepStatus status, T? value, string? error) => new(target, status, value, error, attempt + 1, clock.Elapsed);
            try
            {
                reporter.Progress(target.Name, 0, 0, "connecting");
                await using var node = await connector.ConnectAsync(target, ct);
                return Outcome(StepStatus.Ok, await step(new NodeAttempt(target, node, attempt), ct), null);
            }
            catch (Exception e) when (ct.IsCancellationRequested)
            {
                // Whatever a step threw while the user stopped the run, the run was stopped.
                throw e as OperationCanceledException ?? new OperationCanceledException("interrupted", e, ct);
            }
            catch (TransportException e) when (attempt < options.Retries)
            {
                reporter.Warn($"{target.Name}: {Describe(e)}; retrying ({attempt + 1}/{options.Retries})");
                await Task.Delay(options.RetryDelay * (attempt + 1), ct);
            }
            catch (VzException e)
            {
                reporter.Progress(target.Name, 0, 0, $"failed: {Describe(e)}");
                return Outcome(StepStatus.Failed, default, Describe(e));
            }
            catch (Exception e)
            {
                var bug = InternalError.Describe(e);
                reporter.Progress(target.Name, 0, 0, "failed: internal error");
                reporter.Warn($"{target.Name}: {bug}");
                return Outcome(StepStatus.InternalError, default, bug);
            }
        }
    }

    static string Describe(VzException e) => $"{e.Message} ({e.Code})";
}
