using System.Text.Json;
using System.Text.Json.Serialization;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;

namespace Vz.Deploy.Apply;

/// <summary>What happened to one pod on one node.</summary>
public enum PodAction
{
    /// <summary>The pod's first version on this node, checked healthy and confirmed.</summary>
    Deployed,
    /// <summary>A new version replaced the running one, checked healthy and confirmed.</summary>
    Updated,
    /// <summary>The node already ran the desired release: nothing uploaded, nothing restarted.</summary>
    Unchanged,
    /// <summary>The new version failed its check (or was not confirmed in time): the previous one runs again.</summary>
    RolledBack,
    /// <summary>Not switched: an earlier pod on this node rolled back, so the node stopped there.</summary>
    Skipped,
    /// <summary>deploy --prune stopped and removed it: the fleet file no longer places it on this node (its volumes stay).</summary>
    Removed,
}

/// <summary>One image of a pod as it reached the node.</summary>
public sealed record ImageSent(string Image, PushMode Mode, long BytesSent);

public sealed record PodResult(string Pod, PodAction Action, string Release)
{
    /// <summary>The release that ran before (what a rollback went back to), or null on a first deploy.</summary>
    public string? Previous { get; init; }
    /// <summary>Why it rolled back or was skipped, one line.</summary>
    public string? Detail { get; init; }
    public IReadOnlyList<ImageSent> Images { get; init; } = [];
}

/// <summary>How one node ended a deploy, with what each of its pods did.</summary>
public sealed record DeployedNode(string Node, NodeOutcome Outcome)
{
    /// <summary>The rollout wave the node was in (0 is the canary wave when there is one); null when it was not deployed.</summary>
    public int? Wave { get; init; }
    public bool Canary { get; init; }
    public IReadOnlyList<PodResult> Pods { get; init; } = [];
    /// <summary>"opened 8080/tcp; closed 9090/tcp", "firewall unchanged", or null when vz does not manage it there.</summary>
    public string? Firewall { get; init; }
    /// <summary>Image bytes sent to the node (payloads: deltas or compressed archives).</summary>
    public long BytesSent { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>The one-line error (with its code) of a failed or unreachable node.</summary>
    public string? Error { get; init; }
    /// <summary>The node failed on a bug in vz (<see cref="Error"/> says so).</summary>
    public bool InternalError { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The outcome of one deploy across the fleet.</summary>
public sealed record DeployReport(IReadOnlyList<DeployedNode> Nodes)
{
    /// <summary>The node whose failure or rollback halted the rollout, or null.</summary>
    public string? HaltedBy { get; init; }

    public FleetOutcome Outcome => RolloutOutcome.Summarize(Nodes.Select(n => n.Outcome));
    public int InternalErrors => Nodes.Count(n => n.InternalError);
    public IReadOnlyList<string> Untouched => Names(NodeOutcome.Untouched);
    public IReadOnlyList<string> Names(NodeOutcome outcome) => Nodes.Where(n => n.Outcome == outcome).Select(n => n.Node).ToList();
}

/// <summary>Renders a deploy report: a table for people, JSON (a stable shape, README "vzbuild deploy") for scripts.</summary>
public static class DeploySummary
{
    public static string Table(DeployReport report)
    {
        var rows = report.Nodes.Select(n => new[]
        {
            n.Node,
            Name(n.Outcome),
            n.Pods.Count == 0 ? "-" : string.Join(", ", n.Pods.Select(p => $"{p.Pod} {Name(p.Action)}")),
            n.Pods.SelectMany(p => p.Images).Any() ? string.Join(", ", n.Pods.SelectMany(p => p.Images).Select(i => PushSummary.ModeText(i.Mode))) : "-",
            PushSummary.Bytes(n.BytesSent),
            $"{n.Elapsed.TotalSeconds:0.0}s",
            Detail(n),
        });
        var sb = new System.Text.StringBuilder();
        sb.Append(FleetTable.Render(["NODE", "RESULT", "PODS", "IMAGES", "SENT", "TIME", "DETAIL"], rows));
        sb.Append(CountLine(report)).Append('\n');
        if (report.HaltedBy is not null)
            sb.Append($"rollout halted by {report.HaltedBy}" + (report.Untouched.Count > 0 ? $"; left untouched: {string.Join(", ", report.Untouched)}" : "") + "\n");
        return sb.ToString();
    }

    static string Detail(DeployedNode n)
    {
        var parts = new List<string>();
        if (n.Error is not null)
            parts.Add(n.Error);
        parts.AddRange(n.Pods.Where(p => p.Detail is not null).Select(p => $"{p.Pod}: {p.Detail}"));
        if (n.Firewall is not null && n.Firewall != "firewall unchanged")
            parts.Add(n.Firewall);
        return parts.Count == 0 ? "" : string.Join("; ", parts);
    }

    /// <summary>"1 updated, 2 unchanged, 1 rolled back: n2" in a fixed order.</summary>
    public static string CountLine(DeployReport report)
    {
        var parts = new List<string>();
        foreach (var o in Enum.GetValues<NodeOutcome>())
        {
            var names = report.Names(o);
            if (names.Count == 0)
                continue;
            parts.Add(o is NodeOutcome.Updated or NodeOutcome.Unchanged ? $"{names.Count} {Name(o)}" : $"{names.Count} {Name(o)}: {string.Join(", ", names)}");
        }
        if (report.InternalErrors > 0)
            parts.Add($"{report.InternalErrors} by an internal error: a bug in vz");
        return string.Join("; ", parts);
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>The --json document; its shape is documented in the README and kept stable.</summary>
    public static string Json(DeployReport report, int exitCode) => JsonSerializer.Serialize(new
    {
        outcome = report.Outcome,
        exitCode,
        haltedBy = report.HaltedBy,
        untouched = report.Untouched,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            outcome = n.Outcome,
            wave = n.Wave,
            canary = n.Canary,
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            bytesSent = n.BytesSent,
            firewall = n.Firewall,
            error = n.Error,
            internalError = n.InternalError,
            notes = n.Notes,
            pods = n.Pods.Select(p => new
            {
                pod = p.Pod,
                action = p.Action,
                release = p.Release,
                previous = p.Previous,
                detail = p.Detail,
                images = p.Images.Select(i => new { image = i.Image, mode = i.Mode, bytesSent = i.BytesSent }),
            }),
        }),
    }, JsonOptions);

    public static string Name(NodeOutcome o) => JsonNamingPolicy.KebabCaseLower.ConvertName(o.ToString()).Replace('-', ' ');

    public static string Name(PodAction a) => JsonNamingPolicy.KebabCaseLower.ConvertName(a.ToString()).Replace('-', ' ');
}
