namespace Vz.Trace.Spec;

/// <summary>A listed path that does not exist inside the root; Line is known when checked from a file.</summary>
public sealed record MissingPath(string Path, int? Line);

/// <summary>What <c>vzbuild spec check</c> found. A '-' glob is empty when it removed nothing, before or after the closure.</summary>
public sealed record SpecCheckResult(IReadOnlyList<MissingPath> MissingPaths, IReadOnlyList<SpecRule> EmptyGlobs)
{
    public bool Ok => MissingPaths.Count == 0 && EmptyGlobs.Count == 0;

    /// <summary>One line per problem, naming the spec file and line.</summary>
    public IEnumerable<string> Describe(string specFile)
    {
        foreach (var m in MissingPaths)
            yield return $"{specFile}:{m.Line?.ToString() ?? "?"}: missing: {m.Path}";
        foreach (var g in EmptyGlobs)
            yield return $"{specFile}:{g.Line}: matches nothing: {(g.Include ? '+' : '-')} {g.Glob}";
    }
}

/// <summary>Checks a spec against a root: listed paths that are absent, globs that match nothing.</summary>
public static class SpecChecker
{
    public static SpecCheckResult Check(Spec spec, string root) => Check(spec, root, new Dictionary<string, int>());

    /// <summary>Loads and checks a spec file, with the line number of each missing path.</summary>
    public static SpecCheckResult CheckFile(string specFile, string root)
    {
        var text = SpecFormat.ReadText(specFile);
        var spec = SpecFormat.Parse(new StringReader(text), specFile);
        // Spec keeps no line numbers for paths; recover them from the text (first occurrence wins).
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = 0;
        var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
            lines.TryAdd(line.TrimStart(), ++n);
        return Check(spec, root, lines);
    }

    static SpecCheckResult Check(Spec spec, string root, IReadOnlyDictionary<string, int> lines)
    {
        // Resolved as a bundle would: a '-' glob that only removes what the closure adds is not empty.
        var resolved = SpecResolver.Resolve(spec, root);
        var missing = resolved.Missing
            .Select(p => new MissingPath(p, lines.TryGetValue(p, out var l) ? l : null))
            .ToArray();
        var empty = resolved.Effects.Where(e => e.Count == 0).Select(e => e.Rule).ToArray();
        return new SpecCheckResult(missing, empty);
    }
}
