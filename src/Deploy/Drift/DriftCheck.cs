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

public sealed record DesiredNode(string Node, IReadOnlyList<DesiredPod> Pods, IReadOnlySet<FirewallPort> Ports, bool Rootless, FirewallBackend Firewall);

public enum DriftKind
{
    Unreachable, PodMissing, PodStopped, PodRestarting, PodExtra, VersionDiffers, ImageDiffers, ManifestDiffers,
    UnitDiffers, UnitNotEnabled, LingerMissing, PortClosed, PortExtra, DeadmanPending, DiskLow, MemoryLow,
}

/// <summary>One difference between desired and actual, as one line: "node: pod: what differs".</summary>
public sealed record DriftFinding(string Node, string? Pod, DriftKind Kind, string What)
{
    public override string ToString() => Pod is null ? $"{Node}: {What}" : $"{Node}: pod {Pod}: {What}";
}

public enum DriftOutcome { Converged, Drifted, Errors }

/// <summary>
/// vzbuild diff as a pure function: the desired state of each node against what its status probe
/// (and firewall listing) read. Every finding names node, pod and what differs; a rerun of
/// deploy repairs each kind (an extra pod excepted: vz never removes what it did not place).
/// </summary>
public static class DriftCheck
{
    public static long DiskLowBytes { get; } = 512L << 20;
    public static long MemoryLowBytes { get; } = 32L << 20;

    public static IReadOnlyList<DriftFinding> Compare(DesiredNode desired, ObservedNode observed)
    {
        var node = desired.Node;
        if (observed.Unreachable is { } why)
            return [new(node, null, DriftKind.Unreachable, $"unreachable: {why}")];
        var f = new List<DriftFinding>();
        var byName = observed.Pods.ToDictionary(p => p.Pod, StringComparer.Ordinal);
        foreach (var want in desired.Pods)
        {
            var pod = want.Pod;
            void Add(DriftKind k, string what) => f.Add(new(node, pod, k, what));
            if (!byName.TryGetValue(pod, out var have) || have.Current is null && have.Active != "active")
            {
                Add(DriftKind.PodMissing, "not deployed (no release, service not running)");
                continue;
            }
            if (have.Current != want.Release)
                Add(DriftKind.VersionDiffers, $"runs release {have.Current ?? "(none)"}, expected {want.Release}");
            if (have.ManifestSha != want.ManifestSha)
                Add(DriftKind.ManifestDiffers, have.ManifestSha is null ? "manifest missing" : "manifest differs from what vz would write");
            if (have.UnitSha != want.UnitSha)
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
            foreach (var c in have.Containers.Where(c => !c.Name.EndsWith("-infra", StringComparison.Ordinal) && expected.Count > 0 && !expected.Contains(Bare(c.ImageId))))
                Add(DriftKind.ImageDiffers, $"container {c.Name} runs image {Short(c.ImageId)}, not the release's");
            if (have.Pending || have.DeadmanArmed)
                Add(DriftKind.DeadmanPending, have.DeadmanArmed ? "a dead-man timer is pending: a deploy was not confirmed" : "a deploy was switched and never confirmed (pending record)");
        }
        var wanted = desired.Pods.Select(p => p.Pod).ToHashSet(StringComparer.Ordinal);
        foreach (var extra in observed.PodmanPods.Concat(observed.VzPods).Distinct(StringComparer.Ordinal).Where(p => !wanted.Contains(p)))
            f.Add(new(node, extra, DriftKind.PodExtra, observed.VzPods.Contains(extra)
                ? "deployed by vz here, and the fleet file no longer places it on this node"
                : "runs on the node, and the fleet file does not place it here"));
        if (desired.Rootless && !observed.Linger)
            f.Add(new(node, null, DriftKind.LingerMissing, "linger is off for the deploy user: its pods will not start at boot"));
        if (desired.Firewall != FirewallBackend.None)
        {
            foreach (var p in desired.Ports.Except(observed.OpenedPorts).Order())
                f.Add(new(node, null, DriftKind.PortClosed, $"port {p} is declared and not open in {PlatformDecisions.Name(desired.Firewall)}"));
            foreach (var p in observed.OpenedPorts.Except(desired.Ports).Order())
                f.Add(new(node, null, DriftKind.PortExtra, $"port {p} was opened by vz and is no longer declared"));
        }
        if (observed.DiskFree > 0 && observed.DiskFree < DiskLowBytes)
            f.Add(new(node, null, DriftKind.DiskLow, $"disk: {Quantity.Text(observed.DiskFree)} free"));
        if (observed.MemAvailable > 0 && observed.MemAvailable < MemoryLowBytes)
            f.Add(new(node, null, DriftKind.MemoryLow, $"memory: {Quantity.Text(observed.MemAvailable)} available"));
        return f;
    }

    public static DriftOutcome Outcome(IEnumerable<DriftFinding> findings)
    {
        var list = findings.ToList();
        return list.Any(x => x.Kind == DriftKind.Unreachable) ? DriftOutcome.Errors : list.Count > 0 ? DriftOutcome.Drifted : DriftOutcome.Converged;
    }

    static string Bare(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;

    static bool SameId(string a, string b) => Bare(a) == Bare(b);

    static string Short(string id) => $"sha256:{Bare(id)[..Math.Min(12, Bare(id).Length)]}";
}
