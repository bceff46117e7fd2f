using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vz.Deploy.Yaml;

/// <summary>
/// A strict reader over one YAML mapping: each typed getter marks its key as read and adds a
/// problem (never throws) when the value has the wrong shape; <see cref="RejectUnread"/> then
/// names every key nobody read. Paths follow Kubernetes' notation: <c>spec.containers[0].image</c>.
/// </summary>
public sealed class YamlObject
{
    readonly YamlMappingNode node;
    readonly HashSet<string> read = new(StringComparer.Ordinal);
    readonly ErrorCode badValue;
    readonly ErrorCode missing;

    public YamlObject(YamlMappingNode node, string path, Problems problems, ErrorCode badValue, ErrorCode missing)
    {
        this.node = node;
        this.badValue = badValue;
        this.missing = missing;
        Path = path;
        Problems = problems;
    }

    public string Path { get; }
    public Problems Problems { get; }
    public int Line => (int)node.Start.Line;

    /// <summary>The keys in file order, with their lines.</summary>
    public IEnumerable<(string Key, int Line)> Keys =>
        node.Children.Select(kv => (KeyText(kv.Key), (int)kv.Key.Start.Line));

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => Find(key) is not null;

    /// <summary>The line of a key (the mapping's line when absent).</summary>
    public int LineOf(string key) => node.Children.Where(kv => KeyText(kv.Key) == key).Select(kv => (int)kv.Key.Start.Line).FirstOrDefault(Line);

    /// <summary>The raw value of a key, marked read; null when absent.</summary>
    public YamlNode? Take(string key)
    {
        read.Add(key);
        return Find(key);
    }

    public string? String(string key, bool required = false)
    {
        var v = Take(key);
        if (v is null)
            return Missing(key, required);
        if (v is YamlScalarNode s && !StrictYaml.IsNull(s))
            return s.Value ?? "";
        Bad(key, v, "a string");
        return null;
    }

    public long? Integer(string key, bool required = false)
    {
        var v = Take(key);
        if (v is null)
        {
            Missing(key, required);
            return null;
        }
        if (v is YamlScalarNode { Style: ScalarStyle.Plain } s && long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return n;
        Bad(key, v, "a whole number");
        return null;
    }

    public bool? Bool(string key)
    {
        var v = Take(key);
        if (v is null)
            return null;
        if (v is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s)
            return s.Value == "true";
        Bad(key, v, "true or false");
        return null;
    }

    public YamlObject? Object(string key, bool required = false)
    {
        var v = Take(key);
        if (v is null)
        {
            Missing(key, required);
            return null;
        }
        if (v is YamlMappingNode m)
            return new YamlObject(m, PathOf(key), Problems, badValue, missing);
        Bad(key, v, "a mapping");
        return null;
    }

    /// <summary>The items of a list, each with its path (key[i]) and line.</summary>
    public IReadOnlyList<YamlItem> List(string key, bool required = false)
    {
        var v = Take(key);
        if (v is null)
        {
            Missing(key, required);
            return [];
        }
        if (v is YamlSequenceNode seq)
            return seq.Children.Select((n, i) => new YamlItem(n, $"{PathOf(key)}[{i}]", this)).ToList();
        Bad(key, v, "a list");
        return [];
    }

    /// <summary>A list of strings (command, args, groups).</summary>
    public IReadOnlyList<string>? Strings(string key, bool required = false)
    {
        if (!Has(key))
        {
            Take(key);
            Missing(key, required);
            return null;
        }
        var result = new List<string>();
        foreach (var item in List(key))
            if (item.String() is { } s)
                result.Add(s);
        return result;
    }

    /// <summary>A mapping of string to string (labels, annotations), keys in file order.</summary>
    public IReadOnlyList<(string Key, string Value, int Line)>? StringMap(string key)
    {
        var obj = Object(key);
        if (obj is null)
            return null;
        var result = new List<(string, string, int)>();
        foreach (var (k, line) in obj.Keys)
            if (obj.String(k) is { } s)
                result.Add((k, s, line));
        return result;
    }

    /// <summary>Adds a problem for every key no getter read, with why(key) or "unknown field".</summary>
    public void RejectUnread(ErrorCode code, Func<string, string?> why)
    {
        foreach (var kv in node.Children)
        {
            var key = KeyText(kv.Key);
            if (!read.Contains(key))
                Problems.Add(code, (int)kv.Key.Start.Line, PathOf(key), why(key) ?? "unknown field");
        }
    }

    public void Problem(string key, string why) => Problems.Add(badValue, LineOf(key), PathOf(key), why);

    public void Problem(ErrorCode code, string key, string why) => Problems.Add(code, LineOf(key), PathOf(key), why);

    internal void Bad(string key, YamlNode v, string expected) =>
        Problems.Add(badValue, (int)v.Start.Line, PathOf(key), $"expected {expected}, found {StrictYaml.Kind(v)}");

    string? Missing(string key, bool required)
    {
        if (required)
            Problems.Add(missing, Line, PathOf(key), "required");
        return null;
    }

    YamlNode? Find(string key) =>
        node.Children.Where(kv => KeyText(kv.Key) == key).Select(kv => kv.Value).FirstOrDefault();

    static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? "" : key.ToString();

    internal ErrorCode BadValueCode => badValue;
    internal ErrorCode MissingCode => missing;
}

/// <summary>One element of a YAML list, with its path for messages.</summary>
public sealed record YamlItem(YamlNode Node, string Path, YamlObject Parent)
{
    public int Line => (int)Node.Start.Line;

    public YamlObject? Object()
    {
        if (Node is YamlMappingNode m)
            return new YamlObject(m, Path, Parent.Problems, Parent.BadValueCode, Parent.MissingCode);
        Parent.Problems.Add(Parent.BadValueCode, Line, Path, $"expected a mapping, found {StrictYaml.Kind(Node)}");
        return null;
    }

    public string? String()
    {
        if (Node is YamlScalarNode s && !StrictYaml.IsNull(s))
            return s.Value ?? "";
        Parent.Problems.Add(Parent.BadValueCode, Line, Path, $"expected a string, found {StrictYaml.Kind(Node)}");
        return null;
    }
}
