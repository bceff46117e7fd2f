using System.Text.Json;
using Vz.Deploy.Drift;

namespace Vz.Deploy.View;

/// <summary>How one node compared: its outcome, and why it could not be read.</summary>
public sealed record DiffNode(string Node, DriftOutcome Outcome, TimeSpan Elapsed)
{
    public string? Error { get; init; }
    public bool Unreachable { get; init; }
    public bool InternalError { get; init; }
}

/// <summary>vzbuild diff across the fleet: one line per finding, in node order.</summary>
public sealed record DiffReport(IReadOnlyList<DiffNode> Nodes, IReadOnlyList<DriftFinding> Findings)
{
    public DriftOutcome Outcome => DriftCheck.Outcome(Findings);
    public int Read => Nodes.Count(n => n.Error is null);
    public int Failed => Nodes.Count(n => n.Error is not null);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
}

/// <summary>Renders a diff: the finding lines for people, JSON (README "vzbuild diff") for scripts.</summary>
public static class DiffSummary
{
    /// <summary>One line per finding ("note:" before a note), then the outcome line.</summary>
    public static string Lines(DiffReport report)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var f in report.Findings)
            sb.Append(f.Note ? "note: " : "").Append(f).Append('\n');
        var drifted = report.Nodes.Where(n => n.Outcome == DriftOutcome.Drifted).Select(n => n.Node).ToList();
        var failed = report.Nodes.Where(n => n.Error is not null).Select(n => n.Node).ToList();
        var parts = new List<string> { $"{report.Nodes.Count(n => n.Outcome == DriftOutcome.Converged)} converged" };
        if (drifted.Count > 0)
            parts.Add($"{drifted.Count} drifted: {string.Join(", ", drifted)}");
        if (failed.Count > 0)
            parts.Add($"{failed.Count} not read: {string.Join(", ", failed)}");
        sb.Append(string.Join("; ", parts)).Append('\n');
        return sb.ToString();
    }

    /// <summary>"pod-missing", "unit-not-enabled": the kind as JSON names it.</summary>
    public static string KindName(DriftKind k) => JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString());

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static string Json(DiffReport report, int exitCode) => JsonSerializer.Serialize(new
    {
        outcome = report.Outcome.ToString().ToLowerInvariant(),
        exitCode,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            outcome = n.Outcome.ToString().ToLowerInvariant(),
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            unreachable = n.Unreachable,
            error = n.Error,
            internalError = n.InternalError,
        }),
        findings = report.Findings.Select(f => new
        {
            node = f.Node,
            pod = f.Pod,
            kind = KindName(f.Kind),
            what = f.What,
            note = f.Note,
            repairedByDeploy = DriftCheck.RepairedByDeploy(f.Kind),
            line = f.ToString(),
        }),
    }, JsonOptions);
}
