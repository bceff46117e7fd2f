using System.Globalization;
using System.Text;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Playbook;

/// <summary>
/// Writes a tree of maps (insertion order kept), lists, strings, numbers and booleans as block YAML,
/// the same bytes for the same tree: two-space indents, strings double-quoted (YamlWriter.Quote),
/// empty lists and maps as [] and {}. The playbook's vars and plays are data; this writes them.
/// </summary>
public static class YamlTree
{
    /// <summary>A map that keeps the order keys were added in.</summary>
    public sealed class Map : List<KeyValuePair<string, object?>>
    {
        public Map Add(string key, object? value)
        {
            Add(KeyValuePair.Create(key, value));
            return this;
        }
    }

    public static string Write(object tree, string? comment = null)
    {
        var sb = new StringBuilder("---\n");
        if (comment is not null)
            foreach (var line in comment.Split('\n'))
                sb.Append("# ").Append(line).Append('\n');
        Node(sb, tree, 0, inList: false);
        return sb.ToString();
    }

    static void Node(StringBuilder sb, object? value, int depth, bool inList)
    {
        switch (value)
        {
            case Map m when m.Count > 0:
                var first = true;
                foreach (var (k, v) in m)
                {
                    if (!(inList && first))
                        sb.Append(' ', depth * 2);
                    first = false;
                    sb.Append(Key(k)).Append(':');
                    Child(sb, v, depth + 1);
                }
                break;
            case System.Collections.IEnumerable list and not string when !IsEmpty(value):
                var firstItem = true;
                foreach (var item in list)
                {
                    if (!(inList && firstItem))
                        sb.Append(' ', depth * 2);
                    firstItem = false;
                    sb.Append("- ");
                    if (IsBlock(item))
                        Node(sb, item, depth + 1, inList: true);
                    else
                        sb.Append(Scalar(item)).Append('\n');
                }
                break;
            default:
                sb.Append(Scalar(value)).Append('\n');
                break;
        }
    }

    static void Child(StringBuilder sb, object? v, int depth)
    {
        if (IsBlock(v))
        {
            sb.Append('\n');
            Node(sb, v, depth, inList: false);
        }
        else
            sb.Append(' ').Append(Scalar(v)).Append('\n');
    }

    static bool IsBlock(object? v) => v is System.Collections.IEnumerable and not string && !IsEmpty(v);

    static bool IsEmpty(object? v) => v is System.Collections.IEnumerable e and not string && !e.GetEnumerator().MoveNext();

    static string Scalar(object? v) => v switch
    {
        null => "null",
        string s => YamlWriter.Quote(s),
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        Map => "{}",
        System.Collections.IDictionary => "{}",
        System.Collections.IEnumerable => "[]",
        _ => throw new ArgumentException($"no YAML form for {v.GetType().Name}"),
    };

    static string Key(string k) =>
        k.Length > 0 && char.IsAsciiLetter(k[0]) && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? k : YamlWriter.Quote(k);
}
