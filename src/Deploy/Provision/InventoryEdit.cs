using System.Text;
using Vz.Deploy.Inventory;

namespace Vz.Deploy.Provision;

/// <summary>What adding a host did to an inventory: the new text, whether it changed, and one line saying what.</summary>
public sealed record InventoryChange(string Text, bool Changed, string Summary);

/// <summary>
/// Adds a host to a group of an Ansible INI inventory the way a person would: every other line,
/// comment, blank line and the order stay as they were. The host's line goes after the group's last
/// host (a new group goes at the end); a line already naming the host gets the variables set in place.
/// Pure (<see cref="AddHost"/>); <see cref="ApplyToFile"/> reads and writes the file.
/// </summary>
public static class InventoryEdit
{
    public static InventoryChange AddHost(string text, string group, string host, IReadOnlyList<(string Key, string Value)> vars)
    {
        CheckWord(group, "group");
        CheckWord(host, "host");
        foreach (var (k, v) in vars)
        {
            CheckWord(k, "variable");
            CheckWord(v, "value");
        }

        var newline = text.Contains("\r\n") ? "\r\n" : "\n";
        var lines = text.Length == 0 ? new List<string>() : text.Split(newline).ToList();
        var endsWithNewline = lines.Count > 0 && lines[^1].Length == 0;
        if (endsWithNewline)
            lines.RemoveAt(lines.Count - 1);

        var changes = new List<string>();
        int? header = null, lastInGroup = null;
        var inGroup = false;
        var hostsSection = true;
        var section = "ungrouped";
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
                continue;
            if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
            {
                var name = trimmed[1..^1].Trim();
                hostsSection = !name.Contains(':');
                section = hostsSection ? name : name[..name.IndexOf(':')];
                inGroup = hostsSection && name == group;
                if (inGroup)
                {
                    header ??= i;
                    lastInGroup = i;
                }
                continue;
            }
            if (inGroup)
                lastInGroup = i;
            if (!hostsSection || FirstWord(trimmed) != host)
                continue;
            var updated = SetVars(lines[i], vars);
            if (updated != lines[i])
            {
                lines[i] = updated;
                changes.Add($"set {string.Join(' ', vars.Select(v => $"{v.Key}={v.Value}"))} on {host} in [{section}] (line {i + 1})");
            }
            if (inGroup)
                header = -1; // the host is in the group already
        }

        var entry = string.Join(' ', vars.Select(v => $"{v.Key}={v.Value}").Prepend(host));
        if (header is null)
        {
            if (lines.Count > 0 && lines[^1].Trim().Length > 0)
                lines.Add("");
            lines.Add($"[{group}]");
            lines.Add(entry);
            changes.Add($"added {entry} to a new group [{group}]");
        }
        else if (header >= 0)
        {
            lines.Insert(lastInGroup!.Value + 1, entry);
            changes.Add($"added {entry} to [{group}]");
        }

        if (changes.Count == 0)
            return new InventoryChange(text, false, $"{host} is in [{group}] with {string.Join(' ', vars.Select(v => $"{v.Key}={v.Value}"))} already");
        var result = string.Join(newline, lines) + (endsWithNewline || text.Length == 0 ? newline : "");
        return new InventoryChange(result, true, string.Join("; ", changes));
    }

    /// <summary>What <see cref="ApplyToFile"/> would do, without writing: the file must be readable and the result parse (node add checks this before it touches the node).</summary>
    public static InventoryChange Check(string path, string group, string host, IReadOnlyList<(string Key, string Value)> vars)
    {
        var change = AddHost(Local(() => File.Exists(path) ? File.ReadAllText(path) : "", "read", path), group, host, vars);
        AnsibleInventory.Parse(new StringReader(change.Text), path);
        return change;
    }

    /// <summary>Adds the host to the inventory file (made when missing), replacing it in one rename; the result must parse.</summary>
    public static InventoryChange ApplyToFile(string path, string group, string host, IReadOnlyList<(string Key, string Value)> vars)
    {
        var change = Check(path, group, host, vars);
        if (!change.Changed)
            return change;
        Local(() =>
        {
            var tmp = path + ".vz-new";
            File.WriteAllText(tmp, change.Text, new UTF8Encoding(false));
            if (File.Exists(path))
                File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
            File.Move(tmp, path, overwrite: true);
            return 0;
        }, "write", path);
        return change;
    }

    static T Local<T>(Func<T> io, string doing, string path)
    {
        try
        {
            return io();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(ProvisionErrors.LocalFile, $"cannot {doing} the inventory {path}: {e.Message}", inner: e);
        }
    }

    /// <summary>Sets each variable on a host line: in place when the line has it, else appended before any comment.</summary>
    static string SetVars(string line, IReadOnlyList<(string Key, string Value)> vars)
    {
        var (words, comment) = Split(line);
        foreach (var (key, value) in vars)
        {
            var i = words.FindIndex(w => w.StartsWith(key + "=", StringComparison.Ordinal));
            if (i >= 1)
            {
                if (Unquote(words[i][(key.Length + 1)..]) != value)
                    words[i] = $"{key}={value}";
            }
            else
                words.Add($"{key}={value}");
        }
        var indent = line[..(line.Length - line.TrimStart().Length)];
        var rebuilt = indent + string.Join(' ', words) + (comment is null ? "" : " " + comment);
        // Leave the line's own spacing alone when nothing changed.
        return Split(line).Words.SequenceEqual(words) ? line : rebuilt;
    }

    /// <summary>Words of a host line (quotes kept, as Ansible's shlex reads them) and a trailing '#' comment.</summary>
    static (List<string> Words, string? Comment) Split(string line)
    {
        var words = new List<string>();
        var cur = new StringBuilder();
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote is null && c == '#' && cur.Length == 0)
                return (words, line[i..].TrimEnd());
            if (quote is null && c is ' ' or '\t')
            {
                if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); }
                continue;
            }
            if (quote is null && c is '"' or '\'')
                quote = c;
            else if (quote == c)
                quote = null;
            cur.Append(c);
        }
        if (cur.Length > 0)
            words.Add(cur.ToString());
        return (words, null);
    }

    static string FirstWord(string trimmed) => trimmed.Split([' ', '\t'], 2)[0];

    static string Unquote(string v) => v.Length >= 2 && v[0] is '"' or '\'' && v[^1] == v[0] ? v[1..^1] : v;

    static void CheckWord(string word, string what)
    {
        static bool Bad(char c, string what) =>
            char.IsWhiteSpace(c) || c is '#' or ';' or '"' or '\'' or '[' or ']' || c == '=' && what != "value" || c == ':' && what == "group";
        if (word.Length == 0 || word.Any(c => Bad(c, what)))
            throw new VzException(ProvisionErrors.BadInventoryEdit, $"cannot write {what} '{word}' into an inventory line",
                what == "group" ? "a group name is letters, digits, '_' and '-'" : null);
    }
}
