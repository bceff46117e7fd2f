using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Apply;

/// <summary>
/// vzbuild rollback across a fleet, on the <see cref="FleetRunner"/>: every chosen node at once
/// (a rollback is the way out of a bad release, so it has no canary), each through
/// <see cref="NodeDeployer.RollbackAsync"/>. The report has deploy's shape: a pod "updated" went
/// back to its previous release; "rolled back" means that previous release failed its check and
/// the one that ran before the rollback runs again.
/// </summary>
public sealed class Rollbacker(INodeConnector connector, IReporter reporter, IProcessRunner? processes = null)
{
    public async Task<DeployReport> RollbackAsync(LoadedFleet fleet, DeployOptions options, CancellationToken ct = default)
    {
        // The fleet file's own inputs: the node deployer reads them; a rollback uploads none of them.
        using var inputs = DeployInputs.Read(fleet, options.CacheDir, processes: processes);
        var deployer = new NodeDeployer(fleet, inputs, options, reporter, processes);
        var runs = fleet.Nodes.ToDictionary(n => n.Name, n => new NodeDeployer.NodeRun(n), StringComparer.Ordinal);
        var done = await new FleetRunner(connector, reporter, options.Fleet).RunAsync(fleet.Nodes.Select(n => n.Target).ToList(),
            (a, token) => deployer.RollbackAsync(a, runs[a.Target.Name], token), ct);
        return new DeployReport(done.Nodes.Select(o =>
        {
            var run = runs[o.Node];
            var outcome = o.Ok ? o.Value : run.LinkLost && !run.Switched ? NodeOutcome.Unreachable : NodeOutcome.Failed;
            reporter.Progress(o.Node, 1, 1, o.Ok ? "done" : "failed");
            return new DeployedNode(o.Node, outcome)
            {
                Pods = run.Pods.Values.OrderBy(p => run.Work.Pods.ToList().IndexOf(p.Pod)).ToList(),
                BytesSent = run.BytesSent,
                Elapsed = o.Elapsed,
                Error = !o.Ok && run.LinkLost && run.Switched
                    ? o.Error + "; the link broke after a switch: unless it came back in time, the node's dead-man switch restores the previous version by itself"
                    : o.Error,
                InternalError = o.Status == StepStatus.InternalError,
                Notes = run.Notes,
            };
        }).ToList());
    }
}
