using System.Text.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;

namespace Vz.Deploy.View;

/// <summary>
/// Renders a rollback (a <see cref="DeployReport"/> from <see cref="Rollbacker"/>) in rollback's
/// words: a pod "rolled back" runs its previous release again; "failed check" means that previous
/// release failed its health check and the release that ran before the rollback was restored.
/// </summary>
public static class RollbackSummary
{
    public static string Name(NodeOutcome o) => o switch
    {
        NodeOutcome.Updated => "rolled-back",
        NodeOutcome.RolledBack => "failed-check",
        _ => JsonNamingPolicy.KebabCaseLower.ConvertName(o.ToString()),
    };

    public static string Name(PodAction a) => a switch
    {
        PodAction.Updated => "rolled-back",
        PodAction.RolledBack => "failed-check",
        _ => JsonNamingPolicy.KebabCaseLower.ConvertName(a.ToString()),
    };

    public static string Name(FleetOutcome o) => o switch
    {
        FleetOutcome.AllOk => "all-rolled-back",
        FleetOutcome.RolledBack => "failed-check",
        _ => JsonNamingPolicy.KebabCaseLower.ConvertName(o.ToString()),
    };

    /// <summary>"web: 04fb10… → 9a1c2e…" (from the release that ran to the one that runs now).</summary>
    static string Pod(PodResult p) => p.Action switch
    {
        PodAction.Updated => $"{p.Pod} {p.Previous} -> {p.Release}",
        PodAction.RolledBack => $"{p.Pod} {p.Release} failed its check: {p.Previous} restored",
        _ => $"{p.Pod} {Name(p.Action)}",
    };

    public static string Table(DeployReport report)
    {
        var rows = report.Nodes.Select(n => new[]
        {
            n.Node,
            Name(n.Outcome).Replace('-', ' '),
            n.Pods.Count == 0 ? "-" : string.Join(", ", n.Pods.Select(Pod)),
            PushSummary.Bytes(n.BytesSent),
            $"{n.Elapsed.TotalSeconds:0.0}s",
            string.Join("; ", new[] { n.Error }.Concat(n.Pods.Where(p => p.Detail is not null).Select(p => $"{p.Pod}: {p.Detail}")).Concat(n.Notes).OfType<string>()),
        });
        var counts = Enum.GetValues<NodeOutcome>().Select(o => (o, names: report.Names(o))).Where(x => x.names.Count > 0)
            .Select(x => $"{x.names.Count} {Name(x.o).Replace('-', ' ')}" + (x.o == NodeOutcome.Updated ? "" : $": {string.Join(", ", x.names)}"));
        return FleetTable.Render(["NODE", "RESULT", "PODS", "UPLOADED", "TIME", "DETAIL"], rows) + string.Join("; ", counts) + "\n";
    }

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The --json document (README "vzbuild rollback"). imageBytesSent is what crossed to the node for images: 0, by design.</summary>
    public static string Json(DeployReport report, int exitCode) => JsonSerializer.Serialize(new
    {
        outcome = Name(report.Outcome),
        exitCode,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            outcome = Name(n.Outcome),
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            imageBytesSent = n.BytesSent,
            error = n.Error,
            internalError = n.InternalError,
            notes = n.Notes,
            pods = n.Pods.Select(p => new
            {
                pod = p.Pod,
                result = Name(p.Action),
                from = p.Action == PodAction.Skipped ? p.Release : p.Previous,
                to = p.Action == PodAction.Skipped ? null : p.Release,
                detail = p.Detail,
            }),
        }),
    }, JsonOptions);
}
