using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vz.Deploy.Yaml;

/// <summary>
/// Reads one YAML document into YamlDotNet's representation model, which keeps every node's
/// line, so each problem can name <c>file:line: field.path</c>. Anchors, aliases and merge keys
/// are refused: they let one line stand for another and hide where a value came from.
/// </summary>
public static class StrictYaml
{
    /// <summary>The root mapping of a one-document YAML text, or null with a problem added.</summary>
    public static YamlMappingNode? LoadMapping(string text, Problems problems, ErrorCode syntax, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            // Duplicate keys arrive here too ("Duplicate key"): YamlDotNet refuses them while loading.
            var why = e.InnerException?.Message ?? e.Message;
            problems.Add(syntax, (int)e.Start.Line, "", $"not valid YAML: {FirstLine(why)}");
            return null;
        }
        if (stream.Documents.Count != 1)
        {
            problems.Add(syntax, stream.Documents.Count > 1 ? (int)stream.Documents[1].RootNode.Start.Line : 1, "",
                stream.Documents.Count == 0 ? $"empty: expected {what}" : $"holds {stream.Documents.Count} documents: one {what} per file");
            return null;
        }
        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode map)
        {
            problems.Add(syntax, (int)root.Start.Line, "", $"expected {what} (a mapping of keys), found {Kind(root)}");
            return null;
        }
        if (FindAlias(root) is { } alias)
        {
            problems.Add(syntax, (int)alias.Start.Line, "", "anchors and aliases (&, *, <<) are not accepted: write each value where it applies");
            return null;
        }
        return map;
    }

    static YamlNode? FindAlias(YamlNode node)
    {
        if (!node.Anchor.IsEmpty)
            return node;
        return node switch
        {
            YamlMappingNode m => m.Children.SelectMany(kv => new[] { kv.Key, kv.Value })
                .Select(n => n is YamlScalarNode { Value: "<<" } ? n : FindAlias(n)).FirstOrDefault(n => n is not null),
            YamlSequenceNode s => s.Children.Select(FindAlias).FirstOrDefault(n => n is not null),
            _ => null,
        };
    }

    internal static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "no value",
        YamlScalarNode s when s.Style is ScalarStyle.Plain && (long.TryParse(s.Value, out _) || s.Value is "true" or "false") => $"'{s.Value}'",
        YamlScalarNode => "a string",
        _ => "something else",
    };

    internal static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
