using System.Globalization;
using System.Text.Json;
using Vz.Deploy.Drift;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Runner;

namespace Vz.Deploy.View;

/// <summary>One container of a pod, as vzbuild ps shows it.</summary>
public sealed record PsContainer(string Name, string State, string Image, string ImageId, int Restarts)
{
    public long? MemoryUsage { get; init; }
    /// <summary>0: no limit.</summary>
    public long MemoryLimit { get; init; }
    public TimeSpan? Uptime { get; init; }
    /// <summary>podman's health check status, or "" when the container has none.</summary>
    public string Health { get; init; } = "";
}

/// <summary>Whose a pod on a node is: placed there by the fleet file, left by vz and no longer placed, or not vz's at all.</summary>
public enum PsPodKind { Placed, Undeclared, Foreign }

/// <summary>One pod on one node.</summary>
public sealed record PsPod(string Pod, PsPodKind Kind, string State)
{
    public string? Release { get; init; }
    public string? Previous { get; init; }
    public DateTimeOffset? Deployed { get; init; }
    public string DeployedBy { get; init; } = "";
    /// <summary>systemd's automatic restarts of the pod's service.</summary>
    public int ServiceRestarts { get; init; }
    public bool Pending { get; init; }
    public IReadOnlyList<PsContainer> Containers { get; init; } = [];
}

/// <summary>One node: its pods and resources, or why it could not be read.</summary>
public sealed record PsNode(string Node, TimeSpan Elapsed)
{
    /// <summary>The one-line error (with its code) of a node that could not be read; null when it was.</summary>
    public string? Error { get; init; }
    public bool Unreachable { get; init; }
    public bool InternalError { get; init; }
    public string? Podman { get; init; }
    public long MemAvailable { get; init; }
    public long MemTotal { get; init; }
    public long DiskFree { get; init; }
    /// <summary>Who holds the node's deploy lock ("who since when (what)"), or null.</summary>
    public string? LockHolder { get; init; }
    public IReadOnlyList<PsPod> Pods { get; init; } = [];
}

/// <summary>vzbuild ps across the fleet, with the wall time of the whole read (nodes are read at once).</summary>
public sealed record PsReport(IReadOnlyList<PsNode> Nodes, TimeSpan Wall)
{
    public int Failed => Nodes.Count(n => n.Error is not null);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
    /// <summary>The time asking the nodes one after another would take: the sum of each node's own time.</summary>
    public TimeSpan Sequential => TimeSpan.FromTicks(Nodes.Sum(n => n.Elapsed.Ticks));
}

/// <summary>From what a node's probes printed to its <see cref="PsNode"/> (pure), and the report's table and JSON.</summary>
public static class PsSummary
{
    /// <summary>
    /// A node's pods in the fleet file's order, then pods vz keeps records of that the fleet file no
    /// longer places there, then podman pods vz did not place.
    /// </summary>
    public static PsNode Node(string node, IReadOnlyList<string> placed, NodeFacts facts, ObservedNode status, TimeSpan elapsed)
    {
        var pods = new List<PsPod>();
        foreach (var pod in placed)
        {
            var seen = status.Pods.FirstOrDefault(p => p.Pod == pod);
            pods.Add(seen is null ? new PsPod(pod, PsPodKind.Placed, "not deployed") : Pod(seen, PsPodKind.Placed, status.Now));
        }
        foreach (var pod in status.VzPods.Where(p => !placed.Contains(p)))
            pods.Add(new PsPod(pod, PsPodKind.Undeclared, status.PodmanPodStatus.GetValueOrDefault(pod)?.ToLowerInvariant() ?? "no pod"));
        foreach (var pod in status.PodmanPods.Where(p => !placed.Contains(p) && !status.VzPods.Contains(p)))
            pods.Add(new PsPod(pod, PsPodKind.Foreign, status.PodmanPodStatus.GetValueOrDefault(pod)?.ToLowerInvariant() ?? "unknown"));
        return new PsNode(node, elapsed)
        {
            Podman = facts.Podman?.ToString(),
            MemAvailable = status.MemAvailable,
            MemTotal = facts.MemTotal,
            DiskFree = status.DiskFree,
            LockHolder = status.LockHolder,
            Pods = pods,
        };
    }

    static PsPod Pod(ObservedPod seen, PsPodKind kind, DateTimeOffset? now)
    {
        var containers = seen.Containers
            .Where(c => !c.Name.EndsWith("-infra", StringComparison.Ordinal))
            .Select(c => new PsContainer(c.Name, c.State, c.Image, c.ImageId, c.Restarts)
            {
                MemoryUsage = c.MemoryUsage,
                MemoryLimit = c.MemoryLimit,
                Uptime = c.State == "running" && c.Started is { } s && now is { } n && n >= s ? n - s : null,
                Health = c.Health,
            }).ToList();
        var state = seen.Active switch
        {
            "active" when containers.All(c => c.State == "running") => "running",
            "active" => "degraded",
            "" => "unknown",
            var other => other,
        };
        if (seen.Current is null && seen.Active != "active")
            state = "not deployed";
        return new PsPod(seen.Pod, kind, state)
        {
            Release = seen.Current,
            Previous = seen.Previous,
            Deployed = seen.Deployed,
            DeployedBy = seen.DeployedBy,
            ServiceRestarts = seen.ServiceRestarts,
            Pending = seen.Pending || seen.DeadmanArmed,
            Containers = containers,
        };
    }

    /// <summary>A node that could not be read: a row that says so.</summary>
    public static PsNode Failed<T>(StepOutcome<T> o, bool unreachable) =>
        new(o.Node, o.Elapsed) { Error = o.Error, Unreachable = unreachable, InternalError = o.Status == StepStatus.InternalError };

    public static string Table(PsReport report)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(FleetTable.Render(["NODE", "PODMAN", "MEMORY FREE", "DISK FREE", "TIME", "STATE"], report.Nodes.Select(n => new[]
        {
            n.Node,
            n.Podman ?? "-",
            n.Error is null ? $"{Quantity.Text(n.MemAvailable)} of {Quantity.Text(n.MemTotal)}" : "-",
            n.Error is null ? Quantity.Text(n.DiskFree) : "-",
            $"{n.Elapsed.TotalSeconds:0.0}s",
            n.Error is not null ? (n.Unreachable ? "unreachable: " : "failed: ") + n.Error : n.LockHolder is { } h ? $"ok; locked by {h}" : "ok",
        })));
        var rows = new List<string[]>();
        foreach (var n in report.Nodes.Where(n => n.Error is null))
            foreach (var p in n.Pods)
            {
                var head = new[]
                {
                    n.Node, p.Pod + (p.Kind switch { PsPodKind.Undeclared => " (no longer declared)", PsPodKind.Foreign => " (not vz's)", _ => "" }),
                    p.State + (p.Pending ? ", unconfirmed" : ""),
                    p.Release ?? "-", p.Deployed is { } d ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture) : "-",
                };
                if (p.Containers.Count == 0)
                    rows.Add([.. head, "-", "-", "-", p.ServiceRestarts > 0 ? p.ServiceRestarts.ToString(CultureInfo.InvariantCulture) : "-", "-", "-", "-"]);
                foreach (var c in p.Containers)
                    rows.Add([.. head, c.Name + (c.State == "running" ? "" : $" ({c.State})"), c.Image.Length == 0 ? "-" : c.Image, ShortId(c.ImageId),
                        (c.Restarts + p.ServiceRestarts).ToString(CultureInfo.InvariantCulture), Memory(c), c.Uptime is { } u ? Uptime(u) : "-", c.Health.Length == 0 ? "-" : c.Health]);
            }
        if (rows.Count > 0)
            sb.Append('\n').Append(FleetTable.Render(["NODE", "POD", "STATE", "RELEASE", "DEPLOYED", "CONTAINER", "IMAGE", "IMAGE ID", "RESTARTS", "MEMORY", "UP", "HEALTH"], rows));
        sb.Append(FleetTable.Counts(report.Nodes.Count - report.Failed, report.Nodes.Where(n => n.Error is not null).Select(n => n.Node).ToList(), report.InternalErrors)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The first 12 hex digits, as podman shows image IDs.</summary>
    public static string ShortId(string id)
    {
        var bare = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return bare.Length == 0 ? "-" : bare[..Math.Min(12, bare.Length)];
    }

    /// <summary>"5.2 MiB / 64 MiB", "5.2 MiB" without a limit, "-" when not read.</summary>
    public static string Memory(PsContainer c) => c.MemoryUsage is not { } use ? (c.MemoryLimit > 0 ? $"- / {Quantity.Text(c.MemoryLimit)}" : "-")
        : c.MemoryLimit > 0 ? $"{Quantity.Text(use)} / {Quantity.Text(c.MemoryLimit)}" : Quantity.Text(use);

    /// <summary>"45s", "12m", "3h05m", "2d04h".</summary>
    public static string Uptime(TimeSpan t) => t.TotalSeconds switch
    {
        < 60 => $"{(int)t.TotalSeconds}s",
        < 3600 => $"{(int)t.TotalMinutes}m",
        < 86400 => $"{(int)t.TotalHours}h{t.Minutes:00}m",
        _ => $"{(int)t.TotalDays}d{t.Hours:00}h",
    };

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The --json document; its shape is documented in the README ("vzbuild ps") and kept stable.</summary>
    public static string Json(PsReport report, int exitCode) => JsonSerializer.Serialize(new
    {
        exitCode,
        wallSeconds = Math.Round(report.Wall.TotalSeconds, 3),
        sequentialSeconds = Math.Round(report.Sequential.TotalSeconds, 3),
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            reachable = !n.Unreachable,
            error = n.Error,
            internalError = n.InternalError,
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            podman = n.Podman,
            memAvailable = n.MemAvailable,
            memTotal = n.MemTotal,
            diskFree = n.DiskFree,
            lockHolder = n.LockHolder,
            pods = n.Pods.Select(p => new
            {
                pod = p.Pod,
                kind = p.Kind.ToString().ToLowerInvariant(),
                state = p.State,
                release = p.Release,
                previous = p.Previous,
                deployed = p.Deployed?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                deployedBy = p.DeployedBy.Length == 0 ? null : p.DeployedBy,
                unconfirmed = p.Pending,
                serviceRestarts = p.ServiceRestarts,
                containers = p.Containers.Select(c => new
                {
                    name = c.Name,
                    state = c.State,
                    image = c.Image,
                    imageId = c.ImageId.Length == 0 ? null : c.ImageId.StartsWith("sha256:", StringComparison.Ordinal) ? c.ImageId : "sha256:" + c.ImageId,
                    restarts = c.Restarts,
                    memoryUsage = c.MemoryUsage,
                    memoryLimit = c.MemoryLimit,
                    uptimeSeconds = c.Uptime is { } u ? (long?)u.TotalSeconds : null,
                    health = c.Health.Length == 0 ? null : c.Health,
                }),
            }),
        }),
    }, JsonOptions);
}
