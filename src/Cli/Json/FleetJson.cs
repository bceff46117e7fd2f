using Vz.Deploy.Apply;
using Vz.Deploy.Provision;
using Vz.Deploy.View;

namespace Vz.Cli.Json;

/// <summary>
/// The --json documents of the fleet commands whose libraries do not write one (lock release,
/// node add, logs, playbook): pure, value in, text out. Shapes: README "JSON output".
/// </summary>
internal static class FleetJson
{
    public static string LockRelease(LockReleased r) => CliJson.Document(new
    {
        exitCode = ExitCodes.Ok,
        node = r.Node,
        wasHeld = r.WasHeld,
        holder = r.Holder is { } h ? new { who = h.Who, since = h.When == DateTimeOffset.MinValue ? null : CliJson.Time(h.When), what = h.What } : null,
    });

    public static string NodeAdd(NodeAddResult r, string? inventory) => CliJson.Document(new
    {
        exitCode = ExitCodes.Ok,
        node = r.Node,
        os = r.Os.PrettyName,
        user = r.User,
        loggedInAs = r.LoggedInAs,
        hostKeyRecorded = r.HostKeyRecorded,
        changes = r.Changes,
        nodeChanged = r.NodeChanged,
        inventory = r.Inventory is { } inv && inventory is not null
            ? new { file = Path.GetFullPath(inventory), changed = inv.Changed, summary = inv.Summary }
            : null,
        notes = r.Notes,
    });

    /// <summary>One journal entry of a pod, one line of vzbuild logs --json.</summary>
    public static string LogLine(string node, JournalEntry e) => CliJson.Line(new
    {
        node,
        time = CliJson.PreciseTime(e.Time),
        source = e.Source,
        stream = e.Priority <= 3 ? "stderr" : "stdout",
        message = e.Message,
    });

    public static string Download(DownloadReport report, string dir, int exitCode) => CliJson.Document(new
    {
        exitCode,
        nodes = report.Nodes.Select(n => new
        {
            node = n.Node,
            file = Path.GetFullPath(Path.Combine(dir, n.Node + ".log")),
            lines = n.Lines,
            bytes = n.Bytes,
            cursor = n.Error is null ? n.State.ToString().ToLowerInvariant() : null,
            seconds = Math.Round(n.Elapsed.TotalSeconds, 3),
            unreachable = n.Unreachable,
            error = n.Error,
            internalError = n.InternalError,
        }),
    });

    public static string Playbook(string dir, string inventory, Vz.Deploy.Playbook.PlaybookWriter.Written written) => CliJson.Document(new
    {
        exitCode = ExitCodes.Ok,
        playbook = Path.Combine(dir, "deploy.yaml"),
        role = Path.Combine(dir, Vz.Deploy.Playbook.PlaybookGenerator.Role),
        inventory = Path.GetFullPath(inventory),
        files = written.Files,
        compressed = written.Compressed,
        kept = written.Kept,
    });
}
