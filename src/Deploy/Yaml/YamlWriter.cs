using System.Globalization;
using System.Text;

namespace Vz.Deploy.Yaml;

/// <summary>
/// Writes block-style YAML byte for byte the same for the same calls: two-space indents, "\n"
/// line ends, every string double-quoted (JSON escapes are valid YAML), numbers and booleans
/// bare. Enough for the manifests vz writes to nodes; nothing is inferred from a value's text.
/// </summary>
public sealed class YamlWriter
{
    readonly StringBuilder sb = new();
    int depth;
    bool pendingDash;

    public YamlWriter Comment(string text)
    {
        foreach (var line in text.Split('\n'))
            sb.Append(' ', depth * 2).Append("# ").Append(line).Append('\n');
        return this;
    }

    public YamlWriter Field(string key, string value) => Line(key, Quote(value));

    public YamlWriter Field(string key, long value) => Line(key, value.ToString(CultureInfo.InvariantCulture));

    public YamlWriter Field(string key, bool value) => Line(key, value ? "true" : "false");

    public YamlWriter FieldIf(string key, string? value) => value is null ? this : Field(key, value);

    public YamlWriter FieldIf(string key, long? value) => value is null ? this : Field(key, value.Value);

    public YamlWriter FieldIf(string key, bool? value) => value is null ? this : Field(key, value.Value);

    /// <summary>key: then the nested writes, indented.</summary>
    public YamlWriter Map(string key, Action<YamlWriter> body)
    {
        Line(key, null);
        depth++;
        body(this);
        depth--;
        return this;
    }

    /// <summary>key: then one "- " item per element; each item's first field shares the dash's line.</summary>
    public YamlWriter List<T>(string key, IEnumerable<T> items, Action<YamlWriter, T> item)
    {
        Line(key, null);
        depth++;
        foreach (var x in items)
        {
            pendingDash = true;
            depth++;
            item(this, x);
            depth--;
            pendingDash = false;
        }
        depth--;
        return this;
    }

    /// <summary>key: followed by a list of strings.</summary>
    public YamlWriter Strings(string key, IEnumerable<string> values)
    {
        Line(key, null);
        foreach (var v in values)
            sb.Append(' ', depth * 2 + 2).Append("- ").Append(Quote(v)).Append('\n');
        return this;
    }

    /// <summary>key: followed by a list of numbers.</summary>
    public YamlWriter Numbers(string key, IEnumerable<long> values)
    {
        Line(key, null);
        foreach (var v in values)
            sb.Append(' ', depth * 2 + 2).Append("- ").Append(v.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return this;
    }

    public override string ToString() => sb.ToString();

    YamlWriter Line(string key, string? value)
    {
        if (pendingDash)
        {
            sb.Append(' ', (depth - 1) * 2).Append("- ");
            pendingDash = false;
        }
        else
            sb.Append(' ', depth * 2);
        sb.Append(IsPlainKey(key) ? key : Quote(key)).Append(':');
        if (value is not null)
            sb.Append(' ').Append(value);
        sb.Append('\n');
        return this;
    }

    static bool IsPlainKey(string k) => k.Length > 0 && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && char.IsAsciiLetter(k[0]);

    /// <summary>A double-quoted YAML scalar with JSON-style escapes.</summary>
    public static string Quote(string s)
    {
        var q = new StringBuilder("\"");
        foreach (var c in s)
            q.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when c < 0x20 || c == 0x7f => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return q.Append('"').ToString();
    }
}
