using System.Globalization;
using System.Text.Json;
using Vz.Deploy.Layout;
using Vz.Deploy.Runner;

namespace Vz.Deploy.View;

/// <summary>One node's history: the lines of its ~/.vz/history.log (in the order written), or why it could not be read.</summary>
public sealed record HistoryNode(string Node, TimeSpan Elapsed)
{
    public IReadOnlyList<HistoryEntry> Events { get; init; } = [];
    /// <summary>Lines of the log vz could not read (a version of vz that writes events this one does not know).</summary>
    public int Unreadable { get; init; }
    public string? Error { get; init; }
    public bool Unreachable { get; init; }
    public bool InternalError { get; init; }
}

public sealed record HistoryReport(IReadOnlyList<HistoryNode> Nodes)
{
    public int Failed => Nodes.Count(n => n.Error is not null);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
}

/// <summary>history.log read back (pure), and the table and JSON of vzbuild history.</summary>
public static class HistorySummary
{
    /// <summary>The log's entries (of one pod when given), in the order the node wrote them.</summary>
    public static (IReadOnlyList<HistoryEntry> Events, int Unreadable) Parse(string log, string? pod)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var entries = lines.Select(HistoryEntry.Parse).ToList();
        return (entries.OfType<HistoryEntry>().Where(e => pod is null || e.Pod == pod).ToList(), entries.Count(e => e is null));
    }

    /// <summary>"deployed", "updated", "rolled back", "auto-rolled back (dead-man)", "boot-rolled back", "removed".</summary>
    public static string Verb(HistoryEvent e) => e switch
    {
        HistoryEvent.Deploy => "deployed",
        HistoryEvent.Update => "updated",
        HistoryEvent.Rollback => "rolled back",
        HistoryEvent.AutoRollback => "auto-rolled back (dead-man)",
        HistoryEvent.BootRollback => "boot-rolled back",
        HistoryEvent.Remove => "removed",
        _ => "failed",
    };

    public static string Table(HistoryReport report)
    {
        var rows = report.Nodes.SelectMany(n => n.Error is not null
            ? [[n.Node, "-", "-", n.Unreachable ? "unreachable" : "failed", "-", "-", n.Error]]
            : n.Events.Select(e => new[]
            {
                n.Node, e.Pod, e.When.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), Verb(e.Event), e.Release, e.Who, e.Detail,
            }));
        var sb = new System.Text.StringBuilder(FleetTable.Render(["NODE", "POD", "WHEN", "EVENT", "RELEASE", "BY", "DETAIL"], rows.ToList()));
        foreach (var n in report.Nodes.Where(n => n.Unreadable > 0))
            sb.Append($"{n.Node}: {n.Unreadable} line(s) of history.log not understood (written by a newer vz?)\n");
        sb.Append(FleetTable.Counts(report.Nodes.Count - report.Failed, report.Nodes.Where(n => n.Error is not null).Select(n => n.Node).ToList(), report.InternalErrors)).Append('\n');
        return sb.ToString();
    }

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static string Json(HistoryReport report, int exitCode) => JsonSerializer.Serialize(new
    {
        exitCode,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            unreachable = n.Unreachable,
            error = n.Error,
            internalError = n.InternalError,
            unreadableLines = n.Unreadable,
            events = n.Events.Select(e => new
            {
                when = e.When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                pod = e.Pod,
                @event = HistoryEntry.Name(e.Event),
                release = e.Release,
                who = e.Who,
                detail = e.Detail,
            }),
        }),
    }, JsonOptions);
}
