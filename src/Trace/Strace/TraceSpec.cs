using Vz.Trace.Spec;

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

    /// <summary>
    /// What the spec's <c># vz-command:</c> cannot record as it ran: arguments that are not UTF-8
    /// (the traced program got their bytes; a spec and a config.json are UTF-8 and hold U+FFFD in their place).
    /// </summary>
    public static IEnumerable<string> CommandWarnings(TracedCommand command) =>
        command.Args.Select((a, i) => (a, i)).Where(x => !StraceString.IsUtf8(x.a)).Select(x =>
            $"argument {x.i} of the command ({StraceString.Display(x.a)}) is not UTF-8: the spec records it with U+FFFD in place of those bytes, and so would a bundle made from it");

    /// <summary>
    /// The spec of traced runs: the traced paths joined by a rules spec's paths and '+'/'-' lines
    /// (minify's --keep/--drop/--rules, trace's --rules), resolved in the root by
    /// <see cref="SpecResolver"/>. It lists the resolved paths and keeps the rules, so resolving it
    /// again (vzbuild bundle) gives the same paths.
    /// </summary>
    public static (Spec.Spec Spec, ResolvedSpec Resolved) Build(IEnumerable<string> traced, TracedCommand command, Spec.Spec? rules, string root)
    {
        var spec = new Spec.Spec
        {
            Command = command.Args,
            WorkingDirectory = command.WorkingDirectory,
            Executable = command.Executable,
            Paths = Spec.Spec.SortedUnique(traced.Concat(rules?.Paths ?? [])),
            Rules = rules?.Rules ?? [],
        };
        var resolved = SpecResolver.Resolve(spec, root);
        return (spec with { Paths = resolved.Paths }, resolved);
    }
}

/// <summary>What a spec records about the traced command: its argv, cwd and the file its execvp ran (inside the root).</summary>
public sealed record TracedCommand(IReadOnlyList<string> Args, string WorkingDirectory, string? Executable);
