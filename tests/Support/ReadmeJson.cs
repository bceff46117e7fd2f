using System.Text.Json.Nodes;

namespace Vz.Tests;

/// <summary>
/// The README's "JSON output" examples, and how a document a command printed differs from one in
/// shape: the keys of every object, arrays' elements, and the kind of every value (a null on either
/// side stands for any kind: "null where a value is unknown").
/// </summary>
public static class ReadmeJson
{
    /// <summary>The first ```json block after the paragraph that starts with <c>**`HEADING</c>, e.g. "vzbuild bundle --json".</summary>
    public static JsonNode Example(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        var at = readme.IndexOf($"\n**`{heading}", StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"README.md has no paragraph starting **`{heading}");
        var start = readme.IndexOf("```json\n", at, StringComparison.Ordinal) + "```json\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return JsonNode.Parse(readme[start..end])!;
    }

    /// <summary>Where <paramref name="actual"/> differs in shape from <paramref name="documented"/>; empty when it does not.</summary>
    public static IReadOnlyList<string> Differences(JsonNode? documented, JsonNode? actual, string path = "$")
    {
        var found = new List<string>();
        Compare(documented, actual, path, found);
        return found;
    }

    static void Compare(JsonNode? documented, JsonNode? actual, string path, List<string> found)
    {
        if (documented is null || actual is null)
            return;
        switch (documented)
        {
            case JsonObject d when actual is JsonObject a:
                var dk = d.Select(p => p.Key).ToHashSet();
                var ak = a.Select(p => p.Key).ToHashSet();
                found.AddRange(dk.Except(ak).Select(k => $"{path}.{k}: documented, not printed"));
                found.AddRange(ak.Except(dk).Select(k => $"{path}.{k}: printed, not documented"));
                foreach (var k in dk.Intersect(ak))
                    Compare(d[k], a[k], $"{path}.{k}", found);
                break;
            case JsonArray d when actual is JsonArray a:
                if (d.Count > 0)
                    for (var i = 0; i < a.Count; i++)
                        Compare(d[0], a[i], $"{path}[{i}]", found);
                break;
            case JsonValue d when actual is JsonValue a:
                if (d.GetValueKind() != a.GetValueKind() && !(IsBool(d) && IsBool(a)))
                    found.Add($"{path}: documented {d.GetValueKind()}, printed {a.GetValueKind()}");
                break;
            default:
                found.Add($"{path}: documented {documented.GetValueKind()}, printed {actual.GetValueKind()}");
                break;
        }
    }

    static bool IsBool(JsonValue v) => v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False;
}
