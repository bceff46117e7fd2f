namespace Vz.Trace.Strace;

/// <summary>From a trace to a spec's paths: which traced paths a spec file can hold.</summary>
public static class TraceSpec
{
    /// <summary>
    /// Used and executed paths, minus those the line-based UTF-8 spec format cannot
    /// hold (non-UTF-8 bytes, newlines, carriage returns), each named in a warning.
    /// </summary>
    public static (IReadOnlyList<string> Paths, IReadOnlyList<string> Warnings) Writable(TraceResult result)
    {
        var paths = new List<string>();
        var warnings = new List<string>();
        foreach (var p in result.Paths.Concat(result.Executed).Distinct(StringComparer.Ordinal))
        {
            if (!StraceString.IsUtf8(p))
                warnings.Add($"left out {StraceString.Display(p)}: not UTF-8, which a spec cannot hold");
            else if (p.Contains('\n') || p.Contains('\r'))
                warnings.Add($"left out {p.ReplaceLineEndings("\\n")}: a line break in a name, which a spec cannot hold");
            else
                paths.Add(p);
        }
        return (paths, warnings);
    }

    public static Spec.Spec Build(IEnumerable<string> paths, IReadOnlyList<string> command, string workingDirectory) =>
        Spec.Spec.FromPaths(paths, command) with { WorkingDirectory = workingDirectory };
}
