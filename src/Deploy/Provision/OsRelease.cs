namespace Vz.Deploy.Provision;

/// <summary>
/// The fields of an os-release file (os-release(5)): NAME=value lines, values optionally in double or
/// single quotes with shell escapes (\" \\ \$ \`) inside double quotes; comments and blank lines skipped.
/// </summary>
public sealed record OsRelease(IReadOnlyDictionary<string, string> Fields)
{
    public string Id => Get("ID") ?? "linux";
    public string VersionId => Get("VERSION_ID") ?? "";
    public IReadOnlyList<string> IdLike => (Get("ID_LIKE") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
    public string PrettyName => Get("PRETTY_NAME") ?? Get("NAME") ?? Id;

    public string? Get(string key) => Fields.TryGetValue(key, out var v) ? v : null;

    public static OsRelease Parse(TextReader reader)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } raw)
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=');
            if (line.Length == 0 || line[0] == '#' || eq <= 0)
                continue;
            fields[line[..eq]] = Unquote(line[(eq + 1)..]);
        }
        return new OsRelease(fields);
    }

    public static OsRelease Parse(string text) => Parse(new StringReader(text));

    static string Unquote(string v)
    {
        if (v.Length >= 2 && v[0] == '\'' && v[^1] == '\'')
            return v[1..^1];
        if (v.Length < 2 || v[0] != '"' || v[^1] != '"')
            return v;
        var inner = v[1..^1];
        var sb = new System.Text.StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length && inner[i + 1] is '"' or '\\' or '$' or '`')
                i++;
            sb.Append(inner[i]);
        }
        return sb.ToString();
    }
}
