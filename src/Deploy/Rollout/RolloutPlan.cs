using Vz.Deploy.Fleet;
using Vz.Deploy.Pods;

namespace Vz.Deploy.Rollout;

/// <summary>One step of a rollout: nodes deployed at once (the canary wave holds the canary nodes alone).</summary>
public sealed record RolloutWave(int Index, bool Canary, IReadOnlyList<string> Nodes);

/// <summary>
/// The order of a deploy across nodes: nodes already converged are skipped as unchanged (they
/// neither count as the canary nor wait for a batch), then the canary nodes alone, then batches.
/// </summary>
public sealed record RolloutPlan(IReadOnlyList<string> Unchanged, IReadOnlyList<RolloutWave> Waves)
{
    /// <summary>
    /// nodes in inventory order; changed tells whether a node needs a deploy; canary and batch from
    /// the fleet file's rollout: (batch overridden by --batch; 0 means all remaining at once).
    /// </summary>
    public static RolloutPlan Make(IReadOnlyList<string> nodes, Func<string, bool> changed, RolloutSettings settings, int? batch = null)
    {
        var todo = nodes.Where(changed).ToList();
        var waves = new List<RolloutWave>();
        var canary = Math.Min(settings.Canary, todo.Count);
        if (canary > 0)
            waves.Add(new RolloutWave(0, true, todo.Take(canary).ToList()));
        var size = batch ?? settings.Batch;
        var rest = todo.Skip(canary).ToList();
        for (var i = 0; i < rest.Count; i += size <= 0 ? rest.Count : size)
            waves.Add(new RolloutWave(waves.Count, false, rest.Skip(i).Take(size <= 0 ? rest.Count : size).ToList()));
        return new RolloutPlan(nodes.Where(n => !changed(n)).ToList(), waves);
    }

    /// <summary>
    /// A pod is converged ("unchanged": nothing uploaded, nothing restarted) when the node's
    /// current release is the desired one, its service is active and no switch awaits confirmation.
    /// </summary>
    public static bool IsConverged(string desiredRelease, Drift.ObservedPod? observed) =>
        observed is { Pending: false, DeadmanArmed: false, Active: "active" } && observed.Current == desiredRelease;

    /// <summary>The nodes a halt after wave index leaves untouched (every later wave's).</summary>
    public IReadOnlyList<string> UntouchedAfter(int index) => Waves.Where(w => w.Index > index).SelectMany(w => w.Nodes).ToList();
}

/// <summary>How one node ended a deploy.</summary>
public enum NodeOutcome
{
    /// <summary>The new version runs, checked healthy and confirmed.</summary>
    Updated,
    /// <summary>The node already ran the desired state: nothing restarted.</summary>
    Unchanged,
    /// <summary>The new version failed its check: the previous one was put back (by vz, or by the node's dead-man).</summary>
    RolledBack,
    /// <summary>The deploy failed before switching, or the restore failed too.</summary>
    Failed,
    /// <summary>The node could not be reached: it does not halt the rollout.</summary>
    Unreachable,
    /// <summary>A halt came before this node's wave.</summary>
    Untouched,
}

/// <summary>The fleet-level result of a deploy, from its nodes' outcomes (the CLI maps it to an exit code).</summary>
public enum FleetOutcome
{
    /// <summary>Every node updated or unchanged (push's exit 0).</summary>
    AllOk,
    /// <summary>At least one node rolled back: a distinct exit code, so scripts can tell "bad release" from "bad nodes".</summary>
    RolledBack,
    /// <summary>Some nodes failed, unreachable or untouched, none rolled back (push's exit 4).</summary>
    SomeFailed,
    /// <summary>No node updated or unchanged (push's exit 5).</summary>
    AllFailed,
}

public static class RolloutOutcome
{
    /// <summary>A rolled-back or failed node halts the rollout; an unreachable one does not.</summary>
    public static bool Halts(NodeOutcome o) => o is NodeOutcome.RolledBack or NodeOutcome.Failed;

    public static FleetOutcome Summarize(IEnumerable<NodeOutcome> outcomes)
    {
        var list = outcomes.ToList();
        if (list.Count > 0 && list.All(o => o is NodeOutcome.Updated or NodeOutcome.Unchanged))
            return FleetOutcome.AllOk;
        if (list.Contains(NodeOutcome.RolledBack))
            return FleetOutcome.RolledBack;
        return list.Any(o => o is NodeOutcome.Updated or NodeOutcome.Unchanged) ? FleetOutcome.SomeFailed : FleetOutcome.AllFailed;
    }
}

/// <summary>
/// Whether a node's memory holds its pods. Podman pods always switch stop-first: the old and
/// new version share the pod's name and host ports, so kube play --replace (and runc's unit)
/// stops the old one before the new one starts; both never run at once. The check refuses a
/// node whose pods' limits (plus an estimate of podman's own per-pod processes) exceed its
/// memory less a reserve for the system, and says when stop-first also saved the switch.
/// </summary>
public static class MemoryPlan
{
    /// <summary>Kept for the system (systemd, journald, sshd, the deploy's own shell) on a 512 MB node.</summary>
    public const long SystemReserve = 96L << 20;
    /// <summary>conmon, the infra container and the service container of one podman pod (estimate; runc pods: 0).</summary>
    public const long PodmanOverheadPerPod = 8L << 20;

    /// <summary>The note for the report, or a refusal when the node cannot hold its pods at all.</summary>
    public static string? Check(string node, long memTotal, IReadOnlyList<(string Pod, PodManifest Manifest, PodRuntime Runtime)> pods, string switching, long? oldLimit)
    {
        if (memTotal <= 0)
            return null;
        long Need((string Pod, PodManifest Manifest, PodRuntime Runtime) p) => (p.Manifest.MemoryLimit ?? 0) + (p.Runtime == PodRuntime.Podman ? PodmanOverheadPerPod : 0);
        var usable = memTotal - SystemReserve;
        var total = pods.Sum(Need);
        if (total > usable)
            throw new VzException(PodErrors.NodeTooSmall,
                $"{node}: the pods' memory limits ({string.Join(" + ", pods.Select(p => $"{p.Pod} {Quantity.Text(p.Manifest.MemoryLimit ?? 0)}"))}) plus podman's own processes need {Quantity.Text(total)}, and the node has {Quantity.Text(usable)} after {Quantity.Text(SystemReserve)} for the system",
                "lower resources.limits.memory, or place fewer pods on this node");
        var unlimited = pods.Where(p => p.Manifest.MemoryLimit is null).Select(p => p.Pod).ToList();
        var notes = new List<string>();
        if (oldLimit is { } old && total + old > usable)
            notes.Add($"{switching}: the old version stops before the new one starts (both would need {Quantity.Text(total + old)} of {Quantity.Text(usable)})");
        if (unlimited.Count > 0)
            notes.Add($"pods without a memory limit are not counted: {string.Join(", ", unlimited)}");
        return notes.Count == 0 ? null : string.Join("; ", notes);
    }
}
