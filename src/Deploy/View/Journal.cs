using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Vz.Deploy.View;

/// <summary>One journal entry: when (the sender's clock when journald has it), where to go on from, who wrote it, what.</summary>
public sealed record JournalEntry(DateTimeOffset Time, string Cursor, string Source, string Message)
{
    /// <summary>journald's priority: 3 (err) for a container's stderr, 6 (info) for its stdout.</summary>
    public int Priority { get; init; } = 6;
    public string Host { get; init; } = "";
    /// <summary>SYSLOG_IDENTIFIER, else the process name: what journalctl's short output shows before the pid.</summary>
    public string Identifier { get; init; } = "";
    public string Pid { get; init; } = "";
}

/// <summary>
/// The node-side scripts of vzbuild logs and their output, as pure functions: journalctl on the
/// node (containers log to journald: podman's journald log driver, CONTAINER_NAME=POD-CONTAINER),
/// read as JSON with only the fields vz shows (an entry is ~3 KB with every field), merged across
/// nodes in time order. A node answers as the SSH user: root reads the whole journal; a rootless
/// user reads what journald lets it (its own entries, with persistent storage).
/// </summary>
public static class Journal
{
    const string Fields = "MESSAGE,CONTAINER_NAME,SYSLOG_IDENTIFIER,PRIORITY,_SOURCE_REALTIME_TIMESTAMP";

    /// <summary>What a journal line needs (journalctl's short format: time, host, identifier[pid]: message).</summary>
    public const string LineFields = "MESSAGE,SYSLOG_IDENTIFIER,_COMM,SYSLOG_PID,_PID,_HOSTNAME,_SOURCE_REALTIME_TIMESTAMP";

    static string Q(string s) => Sh.Quote(s);

    /// <summary>journalctl's matches for the pod's containers: several values of one field are OR'ed.</summary>
    static string Matches(IEnumerable<string> containers) => string.Join(' ', containers.Select(c => Q($"CONTAINER_NAME={c}")));

    static string Command(IEnumerable<string> containers) => $"journalctl --no-pager -q -o json --output-fields={Fields} {Matches(containers)}";

    /// <summary>
    /// The entries to show first: the last <paramref name="lines"/> (or all), from <paramref name="since"/>
    /// (a journalctl time: "2025-01-02 03:04:05", "-600s", "@EPOCH"). Prints "vz-now=EPOCH" first: the
    /// node's clock, from which a follow with no entry yet goes on.
    /// </summary>
    public static string Read(IReadOnlyList<string> containers, int? lines, string? since) =>
        "echo \"vz-now=$(date +%s)\"\n" +
        Command(containers) + (lines is { } n ? $" -n {n.ToString(CultureInfo.InvariantCulture)}" : "") + (since is null ? "" : $" --since {Q(since)}") + "\n";

    /// <summary>
    /// A long poll for follow mode: the entries from <paramref name="cursor"/> on (or since the node's
    /// time <paramref name="sinceEpoch"/> when nothing was seen yet), as soon as there are any, or
    /// nothing after <paramref name="waitSeconds"/>. Nothing of vz stays running on the node between polls.
    /// The cursor's own entry comes back first: <see cref="After"/> drops it. (--after-cursor with
    /// matches skips the first matching entry when the cursor's entry does not match: seen on systemd 252.)
    /// </summary>
    public static string Wait(IReadOnlyList<string> containers, string? cursor, long sinceEpoch, int waitSeconds)
    {
        var from = cursor is null ? $"--since @{sinceEpoch.ToString(CultureInfo.InvariantCulture)}" : $"--cursor {Q(cursor)}";
        // More than the cursor's own entry: grep counts the JSON lines.
        return $"i=0; while :; do out=$({Command(containers)} {from}); " +
               $"if [ \"$(printf '%s\\n' \"$out\" | grep -c '^{{')\" -gt {(cursor is null ? 0 : 1)} ] || [ \"$i\" -ge {waitSeconds * 2} ]; then printf '%s\\n' \"$out\"; exit 0; fi; i=$((i + 1)); sleep 0.5; done\n";
    }

    /// <summary>The entries after the one <paramref name="cursor"/> names (journalctl --cursor shows that one first when it matches).</summary>
    public static IReadOnlyList<JournalEntry> After(IReadOnlyList<JournalEntry> entries, string? cursor) =>
        cursor is null ? entries : entries.SkipWhile(e => e.Cursor == cursor).ToList();

    /// <summary>Reads journalctl -o json lines (and a "vz-now=" line); lines that are not entries are skipped.</summary>
    public static (IReadOnlyList<JournalEntry> Entries, long? Now) Parse(string output)
    {
        var entries = new List<JournalEntry>();
        long? now = null;
        foreach (var raw in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("vz-now=", StringComparison.Ordinal))
            {
                now = long.TryParse(line[7..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
                continue;
            }
            if (!line.StartsWith('{'))
                continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var e = doc.RootElement;
                if (Text(e, "__CURSOR") is not { } cursor
                    || !long.TryParse(Text(e, "_SOURCE_REALTIME_TIMESTAMP") ?? Text(e, "__REALTIME_TIMESTAMP"), NumberStyles.None, CultureInfo.InvariantCulture, out var micros))
                    continue;
                var ident = Text(e, "SYSLOG_IDENTIFIER") ?? Text(e, "_COMM") ?? "";
                entries.Add(new JournalEntry(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), cursor, Text(e, "CONTAINER_NAME") ?? ident, (Text(e, "MESSAGE") ?? "").TrimEnd('\n'))
                {
                    Priority = int.TryParse(Text(e, "PRIORITY"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 6,
                    Host = Text(e, "_HOSTNAME") ?? "",
                    Identifier = ident,
                    Pid = Text(e, "SYSLOG_PID") ?? Text(e, "_PID") ?? "",
                });
            }
            catch (JsonException)
            {
                // A line cut short (the link broke mid-output): the next read goes on from the last whole entry's cursor.
            }
        }
        return (entries, now);
    }

    /// <summary>A field as text: journald gives a value that is not valid UTF-8 as an array of bytes.</summary>
    static string? Text(JsonElement e, string name) => !e.TryGetProperty(name, out var v) ? null : v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Array => Encoding.UTF8.GetString(v.EnumerateArray().Where(b => b.ValueKind == JsonValueKind.Number).Select(b => (byte)b.GetInt32()).ToArray()),
        JsonValueKind.Null => null,
        _ => v.GetRawText(),
    };

    /// <summary>Every node's entries in one time order (ties keep the nodes' order, each node's own order kept).</summary>
    public static IReadOnlyList<(string Node, JournalEntry Entry)> Merge(IEnumerable<(string Node, IReadOnlyList<JournalEntry> Entries)> nodes) =>
        nodes.SelectMany((n, i) => n.Entries.Select((e, j) => (n.Node, e, i, j)))
            .OrderBy(x => x.e.Time).ThenBy(x => x.i).ThenBy(x => x.j)
            .Select(x => (x.Node, x.e)).ToList();

    /// <summary>"n1  2025-01-02T03:04:05.123Z web-app: message", one line per line of a multi-line message.</summary>
    public static IEnumerable<string> Format(string node, int nodeWidth, JournalEntry e)
    {
        var head = $"{node.PadRight(nodeWidth)}  {e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)} {e.Source}:";
        return e.Message.Split('\n').Select(l => $"{head} {l.TrimEnd('\r')}");
    }
}

/// <summary>Where a download goes on from: the journal cursor of the last entry saved, and the log file's size after it.</summary>
public sealed record DownloadCursor(string Cursor, long Size)
{
    public string Render() => $"cursor={Cursor}\nsize={Size.ToString(CultureInfo.InvariantCulture)}\n";

    public static DownloadCursor? Parse(string text)
    {
        var kv = Layout.KeyValues.Parse(text);
        return kv.TryGetValue("cursor", out var c) && long.TryParse(kv.GetValueOrDefault("size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? new DownloadCursor(c, size) : null;
    }
}

/// <summary>What the cursor check found on the node.</summary>
public enum CursorState
{
    /// <summary>No cursor saved yet: the whole journal.</summary>
    New,
    /// <summary>The last entry saved is still in the journal: only what came after it.</summary>
    Found,
    /// <summary>The journal no longer holds it (wiped, rotated past it, a reinstalled node): a new section, the whole journal.</summary>
    Lost,
}

/// <summary>
/// vzbuild logs --download, the node side and the parsing: journalctl's JSON (only the fields a
/// syslog-like line needs, each entry with its own cursor), from the saved cursor on, turned into
/// lines on the master. journalctl --after-cursor is not used: with a cursor the journal no longer
/// holds it does not fail but seeks to the nearest entry by time, or to the start when the
/// journal's sequence changed (duplicates), and with unit matches it skips the first matching entry
/// when the cursor's own entry does not match (a gap; seen on systemd 252). So the script first asks
/// whether the cursor's entry is still there (--cursor shows it first when it is), reads from it
/// with --cursor, and the master drops that one entry.
/// </summary>
public static class JournalDownload
{
    static string Q(string s) => Sh.Quote(s);

    public static string Script(string? cursor, IReadOnlyList<string> units)
    {
        var read = $"journalctl --no-pager -q -o json --output-fields={Journal.LineFields}" + string.Concat(units.Select(x => $" -u {Q(x)}"));
        var sb = new StringBuilder();
        sb.Append("state=new\n");
        if (cursor is { Length: > 0 })
        {
            sb.Append($"c={Q(cursor)}\n");
            sb.Append("if journalctl --no-pager -q -o json --output-fields=__CURSOR --cursor \"$c\" 2>/dev/null | head -n 1 | grep -qF \"\\\"__CURSOR\\\":\\\"$c\\\"\"; then state=found; else state=lost; fi\n");
        }
        sb.Append("echo \"vz-cursor=$state\"\n");
        sb.Append($"if [ \"$state\" = found ]; then exec {read} --cursor \"$c\"; fi\n");
        sb.Append($"exec {read}\n");
        return sb.ToString();
    }

    /// <summary>The script's output: the cursor state, and the entries after the saved cursor (its own entry dropped).</summary>
    public static (CursorState State, IReadOnlyList<JournalEntry> Entries) Parse(string output, string? cursor)
    {
        var first = output.Split('\n', 2)[0];
        var state = first.StartsWith("vz-cursor=", StringComparison.Ordinal)
            ? first[10..].Trim() switch { "found" => CursorState.Found, "lost" => CursorState.Lost, _ => CursorState.New }
            : CursorState.New;
        var entries = Journal.Parse(output).Entries;
        return (state, state == CursorState.Found ? Journal.After(entries, cursor) : entries);
    }

    /// <summary>
    /// journalctl's short-iso-precise line, in UTC: "2025-01-02T03:04:05.123456+00:00 host ident[pid]: message";
    /// the lines after the first of a multi-line message are indented under it.
    /// </summary>
    public static IEnumerable<string> Lines(JournalEntry e)
    {
        var head = $"{e.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00:00 {e.Host} {e.Identifier}{(e.Pid.Length > 0 ? $"[{e.Pid}]" : "")}: ";
        var pad = new string(' ', head.Length);
        return e.Message.Split('\n').Select((l, i) => (i == 0 ? head : pad) + l.TrimEnd('\r'));
    }

    /// <summary>The line that starts a new section when the node's journal lost the saved cursor.</summary>
    public static string LostNote(string node, string cursor, DateTimeOffset now) =>
        $"-- vz {now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}: {node}'s journal no longer holds the last entry downloaded before " +
        $"({cursor}): it was wiped, rotated past it, or the node was reinstalled. A new section starts here; entries written in between may be missing. --";
}
