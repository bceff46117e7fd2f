using System.Text;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Runner;

/// <summary>How one node ended.</summary>
public enum StepStatus
{
    Ok,
    /// <summary>A <see cref="VzException"/> (bad input, a refused key, a link still broken after the retries).</summary>
    Failed,
    /// <summary>Any other exception: a bug in vz.</summary>
    InternalError,
}

/// <summary>One node's end: its step's value when Ok, else the one-line error (code included); attempts made; time from the first.</summary>
public sealed record StepOutcome<T>(NodeTarget Target, StepStatus Status, T? Value, string? Error, int Attempts, TimeSpan Elapsed)
{
    public bool Ok => Status == StepStatus.Ok;
    public string Node => Target.Name;
}

/// <summary>Every node's outcome, in the order of the targets; the CLI's exit code comes from the counts.</summary>
public sealed record FleetResult<T>(IReadOnlyList<StepOutcome<T>> Nodes)
{
    public int Succeeded => Nodes.Count(n => n.Ok);
    public int Failed => Nodes.Count(n => !n.Ok);
    /// <summary>Nodes whose step hit a bug (counted in <see cref="Failed"/> too).</summary>
    public int InternalErrors => Nodes.Count(n => n.Status == StepStatus.InternalError);
}

/// <summary>The summary every fleet command prints: a table with one row per node, and the count line under it.</summary>
public static class FleetTable
{
    /// <summary>Columns padded to their widest cell; the last column is not padded.</summary>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in all)
            sb.AppendLine(string.Join("  ", row.Select((c, i) => i == row.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        return sb.ToString();
    }

    /// <summary>"2 ok, 1 failed: node-c" (and how many of the failures are bugs).</summary>
    public static string Counts(int succeeded, IReadOnlyList<string> failedNodes, int internalErrors)
    {
        var line = $"{succeeded} ok, {failedNodes.Count} failed";
        if (failedNodes.Count > 0)
            line += $": {string.Join(", ", failedNodes)}";
        if (internalErrors > 0)
            line += $" ({internalErrors} by an internal error: a bug in vz)";
        return line;
    }
}
