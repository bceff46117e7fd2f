using System.Collections.Concurrent;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Apply;

/// <summary>
/// vzbuild deploy across a fleet, on the <see cref="FleetRunner"/>: first every node is read
/// (in parallel, changing nothing) to find the converged ones, which are reported unchanged and
/// left alone; then the others go in the rollout's waves, the canary alone first, then batches
/// (<see cref="RolloutPlan"/>). A node that rolls back or fails halts the rollout: later waves are
/// left untouched and named. An unreachable node (before anything was switched there) does not
/// halt it; nor does a node the survey found unable to run its pods (nothing was changed there).
/// </summary>
public sealed class Deployer(INodeConnector connector, IReporter reporter, IProcessRunner? processes = null)
{
    public async Task<DeployReport> DeployAsync(LoadedFleet fleet, DeployOptions options, CancellationToken ct = default)
    {
        foreach (var note in fleet.Fleet.Notes)
            reporter.Warn(note);
        using var inputs = DeployInputs.Read(fleet, options.CacheDir, processes: processes);
        var deployer = new NodeDeployer(fleet, inputs, options, reporter, processes);
        var runner = new FleetRunner(connector, reporter, options.Fleet);
        var work = fleet.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var results = new Dictionary<string, DeployedNode>(StringComparer.Ordinal);

        reporter.Info($"reading {fleet.Nodes.Count} node(s)");
        var unreachable = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var surveys = await runner.RunAsync(fleet.Nodes.Select(n => n.Target).ToList(), async (a, token) =>
        {
            try
            {
                var s = await deployer.SurveyAsync(new NodeShell(a.Node, a.Target.Name), work[a.Target.Name], token);
                unreachable.TryRemove(a.Target.Name, out _);
                reporter.Progress(a.Target.Name, 0, 0, s.UnchangedWith(options.Prune) ? "unchanged" : "to deploy");
                return s;
            }
            catch (TransportException)
            {
                unreachable[a.Target.Name] = true;
                throw;
            }
        }, ct);

        var ready = new List<string>();
        foreach (var o in surveys.Nodes)
        {
            if (o.Ok)
            {
                ready.Add(o.Node);
                if (o.Value!.UnchangedWith(options.Prune))
                {
                    // A deploy of the node tells these itself; an unchanged node is not deployed.
                    foreach (var note in o.Value.ExtraNotes)
                        reporter.Info($"{o.Node}: {note}");
                    results[o.Node] = new DeployedNode(o.Node, NodeOutcome.Unchanged)
                    {
                        Pods = work[o.Node].Pods.Select(p => new PodResult(p, PodAction.Unchanged, o.Value.Desired[p].Record.Id) { Previous = o.Value.Observed(p)?.Previous }).ToList(),
                        Firewall = o.Value.ManagesFirewall ? "firewall unchanged" : null,
                        Elapsed = o.Elapsed,
                        Notes = [.. o.Value.Notes, .. o.Value.ExtraNotes],
                    };
                }
                continue;
            }
            results[o.Node] = new DeployedNode(o.Node, unreachable.ContainsKey(o.Node) || LinkBroke(o) ? NodeOutcome.Unreachable : NodeOutcome.Failed)
            {
                Error = o.Error,
                InternalError = o.Status == StepStatus.InternalError,
                Elapsed = o.Elapsed,
            };
        }

        var plan = RolloutPlan.Make(ready, n => !surveys.Nodes.First(o => o.Node == n).Value!.UnchangedWith(options.Prune), fleet.File.Rollout, options.Batch);
        string? haltedBy = null;
        var pushed = new List<string>();
        foreach (var wave in plan.Waves)
        {
            if (haltedBy is not null)
            {
                foreach (var n in wave.Nodes)
                    results[n] = new DeployedNode(n, NodeOutcome.Untouched) { Wave = wave.Index, Canary = wave.Canary };
                continue;
            }
            reporter.Info(wave.Canary ? $"canary: {string.Join(", ", wave.Nodes)}" : $"wave {wave.Index}: {string.Join(", ", wave.Nodes)}");
            var runs = wave.Nodes.ToDictionary(n => n, n => new NodeDeployer.NodeRun(work[n]), StringComparer.Ordinal);
            var done = await runner.RunAsync(wave.Nodes.Select(n => work[n].Target).ToList(),
                (a, token) => deployer.DeployAsync(a, runs[a.Target.Name], token), ct);
            foreach (var o in done.Nodes)
            {
                var run = runs[o.Node];
                var order = work[o.Node].Pods.ToList();
                var outcome = o.Ok ? o.Value
                    : (run.LinkLost || LinkBroke(o)) && !run.Switched ? NodeOutcome.Unreachable
                    : NodeOutcome.Failed;
                var error = o.Error;
                if (!o.Ok && run.LinkLost && run.Switched)
                    error += "; the link broke after a switch: unless it came back in time, the node's dead-man switch restores the previous version by itself";
                results[o.Node] = new DeployedNode(o.Node, outcome)
                {
                    Wave = wave.Index,
                    Canary = wave.Canary,
                    // Removed pods (not in the node's work) come last.
                    Pods = run.Pods.Values.OrderBy(p => order.IndexOf(p.Pod) is var i and >= 0 ? i : int.MaxValue).ToList(),
                    Firewall = run.Firewall,
                    BytesSent = run.BytesSent,
                    Elapsed = o.Elapsed,
                    Error = error,
                    InternalError = o.Status == StepStatus.InternalError,
                    Notes = run.Notes,
                };
                reporter.Progress(o.Node, 1, 1, DeploySummary.Name(outcome));
                if (o.Ok)
                    pushed.AddRange(run.Pushed);
                if (haltedBy is null && RolloutOutcome.Halts(outcome))
                    haltedBy = o.Node;
            }
        }
        inputs.Remember(pushed);
        if (haltedBy is not null && plan.Waves.FirstOrDefault(w => w.Nodes.Contains(haltedBy)) is { } halted && plan.UntouchedAfter(halted.Index).Count > 0)
            reporter.Warn($"rollout halted by {haltedBy}: left untouched: {string.Join(", ", plan.UntouchedAfter(halted.Index))}");
        return new DeployReport(fleet.Nodes.Select(n => results[n.Name]).ToList()) { HaltedBy = haltedBy };
    }

    /// <summary>
    /// The node's last attempt ended on a broken link (VZ3013), which may have happened in the
    /// runner's connect, before the step ran: the runner's one-line error ends with the code.
    /// </summary>
    static bool LinkBroke<T>(StepOutcome<T> o) =>
        o.Status == StepStatus.Failed && o.Error?.EndsWith($"({DeployErrors.LinkFailed.Id})", StringComparison.Ordinal) == true;
}
