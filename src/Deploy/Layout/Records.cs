using System.Globalization;

namespace Vz.Deploy.Layout;

/// <summary>Who holds a node's deploy lock: written into ~/.vz/lock/owner when it is taken.</summary>
public sealed record LockOwner(string Token, string Who, DateTimeOffset When, string What)
{
    public string Render() =>
        $"token={Token}\nwho={Clean(Who)}\nwhen={When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\nwhat={Clean(What)}\n";

    /// <summary>The owner file, or null when it is empty or unreadable (a lock taken a moment ago).</summary>
    public static LockOwner? Parse(string text)
    {
        var kv = KeyValues.Parse(text);
        if (!kv.TryGetValue("token", out var token) || !kv.TryGetValue("who", out var who))
            return null;
        var when = DateTimeOffset.TryParse(kv.GetValueOrDefault("when"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var w) ? w : DateTimeOffset.MinValue;
        return new LockOwner(token, who, when, kv.GetValueOrDefault("what") ?? "");
    }

    /// <summary>"alice@laptop since 2025-01-02T03:04:05Z (deploy web)" for messages.</summary>
    public string Describe() => $"{Who} since {When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} ({What})";

    static string Clean(string s) => new(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}

/// <summary>
/// What a release directory records (~/.vz/pods/POD/releases/ID/release): the digests that make
/// up the pod's desired state on this node, and who deployed it when. The digest covers the
/// content lines only, so the same desired state deployed twice has the same ID.
/// </summary>
public sealed record ReleaseRecord
{
    public required string Pod { get; init; }
    /// <summary>sha256 of the manifest written to the node.</summary>
    public required string Manifest { get; init; }
    /// <summary>sha256 of the unit file.</summary>
    public required string Unit { get; init; }
    /// <summary>Each image by name, with the sha256 of its archive (the node's image store key).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Images { get; init; }
    /// <summary>HMAC-SHA256 of the pod's secret values under the node's salt, or "" when the pod uses none.</summary>
    public string Secrets { get; init; } = "";
    public string Who { get; init; } = "";
    public DateTimeOffset When { get; init; }

    /// <summary>The lines the digest covers, in a fixed order.</summary>
    public string Content()
    {
        var lines = new List<string> { "vz-release 1", $"pod={Pod}", $"manifest=sha256:{Manifest}", $"unit=sha256:{Unit}" };
        lines.AddRange(Images.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"image={i.Key} sha256:{i.Value}"));
        if (Secrets.Length > 0)
            lines.Add($"secrets=hmac-sha256:{Secrets}");
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>sha256 of <see cref="Content"/>: the pod's desired-state digest on this node.</summary>
    public string Digest => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Content())));

    /// <summary>The release directory's name: the digest's first 16 hex digits.</summary>
    public string Id => Digest[..16];

    public string Render() =>
        Content() + $"digest=sha256:{Digest}\nwho={Who}\nwhen={When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\n";

    public static ReleaseRecord? Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "vz-release 1")
            return null;
        var kv = KeyValues.Parse(text);
        string Sha(string k) => kv.GetValueOrDefault(k) is { } v && v.StartsWith("sha256:") ? v[7..] : "";
        var images = lines.Where(l => l.StartsWith("image=")).Select(l => l[6..].Split(' ', 2))
            .Where(p => p.Length == 2 && p[1].StartsWith("sha256:")).Select(p => KeyValuePair.Create(p[0], p[1][7..])).ToList();
        if (kv.GetValueOrDefault("pod") is not { } pod)
            return null;
        return new ReleaseRecord
        {
            Pod = pod,
            Manifest = Sha("manifest"),
            Unit = Sha("unit"),
            Images = images,
            Secrets = kv.GetValueOrDefault("secrets") is { } s && s.StartsWith("hmac-sha256:") ? s[12..] : "",
            Who = kv.GetValueOrDefault("who") ?? "",
            When = DateTimeOffset.TryParse(kv.GetValueOrDefault("when"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var w) ? w : default,
        };
    }
}

/// <summary>One line of ~/.vz/history.log: time, pod, event, release ID, who, detail (tab-separated).</summary>
public sealed record HistoryEntry(DateTimeOffset When, string Pod, HistoryEvent Event, string Release, string Who, string Detail)
{
    public string Render() => string.Join('\t',
        When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Pod, Name(Event), Release, Field(Who), Field(Detail)) + "\n";

    public static HistoryEntry? Parse(string line)
    {
        var f = line.TrimEnd('\n').Split('\t');
        if (f.Length < 6 || !DateTimeOffset.TryParse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            return null;
        var ev = Enum.GetValues<HistoryEvent>().Where(e => Name(e) == f[2]).Cast<HistoryEvent?>().FirstOrDefault();
        return ev is null ? null : new HistoryEntry(when, f[1], ev.Value, f[3], f[4], f[5]);
    }

    /// <summary>The event names the node-side scripts write (restore.sh writes auto-rollback and boot-rollback itself).</summary>
    public static string Name(HistoryEvent e) => e switch
    {
        HistoryEvent.Deploy => "deploy",
        HistoryEvent.Update => "update",
        HistoryEvent.Rollback => "rollback",
        HistoryEvent.AutoRollback => "auto-rollback",
        HistoryEvent.BootRollback => "boot-rollback",
        HistoryEvent.Remove => "remove",
        _ => "failed",
    };

    static string Field(string s) => new(s.Select(c => c is '\t' or '\n' or '\r' ? ' ' : c).ToArray());
}

public enum HistoryEvent
{
    /// <summary>The pod's first version on this node, confirmed healthy.</summary>
    Deploy,
    /// <summary>A new version replaced a running one, confirmed healthy.</summary>
    Update,
    /// <summary>vzbuild rollback (or a failed health check) put the previous version back.</summary>
    Rollback,
    /// <summary>The dead-man timer fired: vz did not confirm in time, the node restored by itself.</summary>
    AutoRollback,
    /// <summary>The node rebooted between switch and confirm and restored before starting the pod.</summary>
    BootRollback,
    /// <summary>A deploy that failed before switching (nothing changed on the node).</summary>
    Failed,
    /// <summary>deploy --prune removed a pod the fleet file no longer places on the node (its volumes stay).</summary>
    Remove,
}

/// <summary>"key=value" lines, as vz's node scripts print and its records store them.</summary>
public static class KeyValues
{
    public static Dictionary<string, string> Parse(string text)
    {
        var kv = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            if (eq > 0)
                kv.TryAdd(line[..eq], line[(eq + 1)..].TrimEnd('\r'));
        }
        return kv;
    }

    /// <summary>Every value of each key, in order (a key may repeat: one line per image); a missing key has none.</summary>
    public static ILookup<string, string> All(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Line: line.TrimEnd('\r'), Eq: line.IndexOf('=')))
            .Where(x => x.Eq > 0)
            .ToLookup(x => x.Line[..x.Eq], x => x.Line[(x.Eq + 1)..], StringComparer.Ordinal);
}
