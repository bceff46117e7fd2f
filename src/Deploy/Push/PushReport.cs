using System.Text.Json;
using System.Text.Json.Serialization;
using Vz.Deploy.Runner;

namespace Vz.Deploy.Push;

/// <summary>What happened on one node.</summary>
public sealed record NodeResult(string Node, bool Ok, PushMode Mode, long BytesSent, long ResumedFrom, TimeSpan Elapsed, string? Error, IReadOnlyList<string> Notes)
{
    /// <summary>The node failed on a bug in vz, not on the node or the link (<see cref="Error"/> says so).</summary>
    public bool InternalError { get; init; }
}

/// <summary>One image pushed to one node by <see cref="Pusher.PushOneAsync"/>: how it went, the bytes sent, the notes.</summary>
public sealed record NodePush(PushMode Mode, long BytesSent, IReadOnlyList<string> Notes);

/// <summary>The outcome of one push across the fleet.</summary>
public sealed record PushReport(string Image, string Sha256, long ArchiveSize, IReadOnlyList<NodeResult> Nodes)
{
    public int Succeeded => Nodes.Count(n => n.Ok);
    public int Failed => Nodes.Count(n => !n.Ok);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
    public IEnumerable<string> FailedNodes => Nodes.Where(n => !n.Ok).Select(n => n.Node);
}

/// <summary>Renders a push report: a table for people, JSON for scripts.</summary>
public static class PushSummary
{
    public static string Table(PushReport report)
    {
        var rows = report.Nodes.Select(n => new[]
        {
            n.Node,
            n.Ok ? ModeText(n.Mode) : "-",
            Bytes(n.BytesSent) + (n.ResumedFrom > 0 ? $" (resumed at {Bytes(n.ResumedFrom)})" : ""),
            $"{n.Elapsed.TotalSeconds:0.0}s",
            n.Ok ? "ok" : $"FAILED: {n.Error}",
        });
        return $"{report.Image} sha256:{report.Sha256[..12]} ({Bytes(report.ArchiveSize)})\n"
            + FleetTable.Render(["NODE", "SENT AS", "BYTES SENT", "TIME", "RESULT"], rows)
            + FleetTable.Counts(report.Succeeded, report.FailedNodes.ToList(), report.InternalErrors) + "\n";
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Json(PushReport report) => JsonSerializer.Serialize(new
    {
        image = report.Image,
        sha256 = report.Sha256,
        archiveSize = report.ArchiveSize,
        succeeded = report.Succeeded,
        failed = report.Failed,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            ok = n.Ok,
            mode = n.Mode,
            bytesSent = n.BytesSent,
            resumedFrom = n.ResumedFrom,
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            error = n.Error,
            internalError = n.InternalError,
            notes = n.Notes,
        }),
    }, JsonOptions);

    public static string ModeText(PushMode mode) => mode switch
    {
        PushMode.Unchanged => "unchanged",
        PushMode.Full => "full",
        PushMode.FullZstd => "full (zstd)",
        PushMode.FullGzip => "full (gzip)",
        PushMode.Delta => "delta",
        PushMode.Kept => "kept (on node)",
        _ => mode.ToString(),
    };

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        _ => $"{n / (1024.0 * 1024):0.0} MiB",
    };
}
