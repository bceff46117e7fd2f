using Vz.Deploy.Firewall;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;

namespace Vz.Deploy.Drift;

/// <summary>What a node should run for one pod, as deploy would leave it.</summary>
public sealed record DesiredPod
{
    public required string Pod { get; init; }
    public required string Release { get; init; }
    public required string ManifestSha { get; init; }
    public required string UnitSha { get; init; }
    /// <summary>Image name to the image ID its archive holds (the config digest, as podman load gives it).</summary>
    public required IReadOnlyDictionary<string, string> ImageIds { get; init; }
    /// <summary>The containers podman names POD-CONTAINER.</summary>
    public required IReadOnlyList<string> Containers { get; init; }
    public required UnitKind Unit { get; init; }

    /// <summary>podman kube play names each container POD-CONTAINER.</summary>
    public static IReadOnlyList<string> ContainerNames(PodManifest m) => m.Containers.Select(c => $"{m.Name}-{c.Name}").ToList();
}

public sealed record DesiredNode(string Node, IReadOnlyList<DesiredPod> Pods, IReadOnlySet<FirewallPort> Ports, bool Rootless, FirewallBackend Firewall)
{
    /// <summary>
    /// Every pod the fleet file places on the node, when <see cref="Pods"/> is narrowed (--pod): a
    /// placed pod left out of the comparison is not extra. Null: the pods compared are all of them.
    /// </summary>
    public IReadOnlySet<string>? Placed { get; init; }
}

public enum DriftKind
{
    Unreachable, PodMissing, PodStopped, PodRestarting, PodExtra, VersionDiffers, ImageDiffers, ManifestDiffers,
    UnitDiffers, UnitNotEnabled, LingerMissing, PortClosed, PortExtra, DeadmanPending, DiskLow, MemoryLow,
    /// <summary>A podman pod vz did not place: named, never removed, and not drift (vz's state does not include it).</summary>
    ForeignPod,
    /// <summary>The node answered but could not be read (a command failed, or vz cannot run the pod there).</summary>
    NodeError,
    /// <summary>A deploy (or rollback) holds the node's lock: at work now, or gone and its lock stale. A note.</summary>
    DeployLocked,
}

/// <summary>One difference between desired and actual, as one line: "node: pod: what differs".</summary>
public sealed record DriftFinding(string Node, string? Pod, DriftKind Kind, string What)
{
    /// <summary>Said for the operator to know, but not a difference from vz's desired state: it does not make the node drifted.</summary>
    public bool Note => Kind is DriftKind.ForeignPod or DriftKind.DeployLocked;

    public override string ToString() => Pod is null ? $"{Node}: {What}" : $"{Node}: pod {Pod}: {What}";
}

public enum DriftOutcome { Converged, Drifted, Errors }

/// <summary>Below these a node's free disk (in the SSH user's home) or available memory is a finding.</summary>
public sealed record DriftLimits(long DiskLow, long MemoryLow)
{
    public static DriftLimits Default { get; } = new(DriftCheck.DiskLowBytes, DriftCheck.MemoryLowBytes);
}

/// <summary>
/// vzbuild diff as a pure function: the desired state of each node against what its status probe
/// (and firewall listing) read. Every finding names node, pod and what differs; a rerun of
/// deploy repairs each kind <see cref="RepairedByDeploy"/> says it does (README "vzbuild diff").
/// A pod vz did not place is a note (<see cref="DriftFinding.Note"/>): vz never removes what it did not create.
/// </summary>
public static class DriftCheck
{
    public static long DiskLowBytes { get; } = 512L << 20;
    public static long MemoryLowBytes { get; } = 32L << 20;

    public static IReadOnlyList<DriftFinding> Compare(DesiredNode desired, ObservedNode observed) => Compare(desired, observed, DriftLimits.Default);

    public static IReadOnlyList<DriftFinding> Compare(DesiredNode desired, ObservedNode observed, DriftLimits limits)
    {
        var node = desired.Node;
        if (observed.Unreachable is { } why)
            return [new(node, null, DriftKind.Unreachable, $"unreachable: {why}")];
        var f = new List<DriftFinding>();
        foreach (var want in desired.Pods)
            f.AddRange(ComparePod(node, want, observed.Pods.FirstOrDefault(p => p.Pod == want.Pod)));
        var wanted = desired.Placed ?? desired.Pods.Select(p => p.Pod).ToHashSet(StringComparer.Ordinal);
        foreach (var extra in observed.PodmanPods.Concat(observed.VzPods).Distinct(StringComparer.Ordinal).Where(p => !wanted.Contains(p)))
            f.Add(observed.VzPods.Contains(extra)
                ? new(node, extra, DriftKind.PodExtra, "deployed by vz here, and the fleet file no longer places it on this node (vzbuild deploy --prune removes it)")
                : new(node, extra, DriftKind.ForeignPod, "runs on the node and vz did not place it (vz leaves it alone)"));
        if (observed.LockHolder is { } holder)
            f.Add(new(node, null, DriftKind.DeployLocked, $"a deploy holds the node's lock: {holder} (if it is gone: vzbuild lock release {node})"));
        if (desired.Rootless && !observed.Linger)
            f.Add(new(node, null, DriftKind.LingerMissing, "linger is off for the deploy user: its pods will not start at boot"));
        if (desired.Firewall != FirewallBackend.None)
        {
            foreach (var p in desired.Ports.Except(observed.OpenedPorts).Order())
                f.Add(new(node, null, DriftKind.PortClosed, $"port {p} is declared and not open in {PlatformDecisions.Name(desired.Firewall)}"));
            foreach (var p in observed.OpenedPorts.Except(desired.Ports).Order())
                f.Add(new(node, null, DriftKind.PortExtra, $"port {p} was opened by vz and is no longer declared"));
        }
        if (observed.DiskFree > 0 && observed.DiskFree < limits.DiskLow)
            f.Add(new(node, null, DriftKind.DiskLow, $"disk: {Quantity.Text(observed.DiskFree)} free"));
        if (observed.MemAvailable > 0 && observed.MemAvailable < limits.MemoryLow)
            f.Add(new(node, null, DriftKind.MemoryLow, $"memory: {Quantity.Text(observed.MemAvailable)} available"));
        return f;
    }

    /// <summary>
    /// One pod's findings: what diff says of it, and what deploy's "unchanged" check asks
    /// (<see cref="RepairedByDeploy"/>). <paramref name="have"/> is null when the node has no record of the pod.
    /// </summary>
    public static IReadOnlyList<DriftFinding> ComparePod(string node, DesiredPod want, ObservedPod? have)
    {
        var f = new List<DriftFinding>();
        var pod = want.Pod;
        void Add(DriftKind k, string what) => f.Add(new(node, pod, k, what));
        if (have is null || have.Current is null && have.Active != "active")
        {
            Add(DriftKind.PodMissing, "not deployed (no release, service not running)");
            return f;
        }
        // Another release differs in its manifest, unit and image by design: one line says it. The
        // files are compared when the release is the desired one (changed by hand after the deploy).
        var sameRelease = have.Current == want.Release;
        if (!sameRelease)
            Add(DriftKind.VersionDiffers, $"runs release {have.Current ?? "(none)"}, expected {want.Release}");
        if (sameRelease && have.ManifestSha != want.ManifestSha)
            Add(DriftKind.ManifestDiffers, have.ManifestSha is null ? "manifest missing" : "manifest differs from what vz would write");
        if (have.UnitSha != want.UnitSha && (sameRelease || have.UnitSha is null))
            Add(DriftKind.UnitDiffers, have.UnitSha is null ? "unit file missing" : "unit file differs from what vz would write");
        var enabled = want.Unit == UnitKind.QuadletKube ? have.Enabled is "generated" or "enabled" : have.Enabled == "enabled";
        if (!enabled)
            Add(DriftKind.UnitNotEnabled, $"unit is {(have.Enabled.Length == 0 ? "unknown to systemd" : have.Enabled)}: it would not start at boot");
        if (have.Active != "active")
            Add(DriftKind.PodStopped, $"service is {(have.Active.Length == 0 ? "unknown" : have.Active)}");
        foreach (var c in want.Containers)
        {
            var seen = have.Containers.FirstOrDefault(x => x.Name == c);
            if (seen is null && want.Unit != UnitKind.RuncService && have.Active == "active")
                Add(DriftKind.PodStopped, $"container {c} does not exist");
            else if (seen is not null && seen.State != "running")
                Add(DriftKind.PodStopped, $"container {c} is {seen.State}");
        }
        foreach (var c in have.Containers.Where(c => c.Restarts > 0))
            Add(DriftKind.PodRestarting, $"container {c.Name} restarted {c.Restarts} times");
        if (have.ServiceRestarts > 0)
            Add(DriftKind.PodRestarting, $"systemd restarted the service {have.ServiceRestarts} times");
        foreach (var (image, id) in want.ImageIds)
        {
            if (!have.ImageIds.TryGetValue(image, out var actual))
                Add(DriftKind.ImageDiffers, $"image {image} is not on the node");
            else if (!SameId(actual, id))
                Add(DriftKind.ImageDiffers, $"image {image} is {Short(actual)}, expected {Short(id)}");
        }
        var expected = want.ImageIds.Values.Select(Bare).ToHashSet(StringComparer.Ordinal);
        foreach (var c in have.Containers.Where(c => sameRelease && !c.Name.EndsWith("-infra", StringComparison.Ordinal) && expected.Count > 0 && !expected.Contains(Bare(c.ImageId))))
            Add(DriftKind.ImageDiffers, $"container {c.Name} runs image {Short(c.ImageId)}, not the release's");
        if (have.Pending || have.DeadmanArmed)
            Add(DriftKind.DeadmanPending, have.DeadmanArmed ? "a dead-man timer is pending: a deploy was not confirmed" : "a deploy was switched and never confirmed (pending record)");
        return f;
    }

    /// <summary>Errors when a node could not be read; drifted when any finding but a note; else converged.</summary>
    public static DriftOutcome Outcome(IEnumerable<DriftFinding> findings)
    {
        var list = findings.ToList();
        return list.Any(x => x.Kind is DriftKind.Unreachable or DriftKind.NodeError) ? DriftOutcome.Errors
            : list.Any(x => !x.Note) ? DriftOutcome.Drifted
            : DriftOutcome.Converged;
    }

    /// <summary>
    /// Whether a rerun of deploy repairs this kind: it switches the pod to its desired release again
    /// (unit file, enablement, start, the image reloaded from the node's store), re-applies vz's
    /// firewall, enables linger. Not repaired: restarts (a restart count is history; a crashing
    /// release needs a new one), low disk or memory, an unreachable node, and pods vz did not place.
    /// A pod vz placed that the fleet file no longer places is removed by deploy --prune only.
    /// </summary>
    public static bool RepairedByDeploy(DriftKind kind) => kind is not (DriftKind.PodRestarting or DriftKind.DiskLow or DriftKind.MemoryLow
        or DriftKind.Unreachable or DriftKind.NodeError or DriftKind.ForeignPod or DriftKind.PodExtra or DriftKind.DeployLocked);

    static string Bare(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;

    static bool SameId(string a, string b) => Bare(a) == Bare(b);

    static string Short(string id) => $"sha256:{Bare(id)[..Math.Min(12, Bare(id).Length)]}";
}
