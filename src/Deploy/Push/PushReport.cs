using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vz.Deploy.Push;

/// <summary>What happened on one node.</summary>
public sealed record NodeResult(string Node, bool Ok, PushMode Mode, long BytesSent, long ResumedFrom, TimeSpan Elapsed, string? Error, IReadOnlyList<string> Notes);

/// <summary>The outcome of one push across the fleet.</summary>
public sealed record PushReport(string Image, string Sha256, long ArchiveSize, IReadOnlyList<NodeResult> Nodes)
{
    public int Succeeded => Nodes.Count(n => n.Ok);
    public int Failed => Nodes.Count(n => !n.Ok);
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
        }).ToList();
        string[] header = ["NODE", "SENT AS", "BYTES SENT", "TIME", "RESULT"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine($"{report.Image} sha256:{report.Sha256[..12]} ({Bytes(report.ArchiveSize)})");
        foreach (var row in rows.Prepend(header))
            sb.AppendLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        sb.Append($"{report.Succeeded} ok, {report.Failed} failed");
        if (report.Failed > 0)
            sb.Append($": {string.Join(", ", report.FailedNodes)}");
        return sb.AppendLine().ToString();
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
