using Vz.Trace.Closure;

namespace Vz.Trace.Spec;

/// <summary>What a spec stands for inside a root: the paths to copy, and what the closure had to say.</summary>
public sealed record ResolvedSpec(IReadOnlyList<string> Paths, IReadOnlyList<string> Warnings, IReadOnlyList<RuleEffect> Effects)
{
    /// <summary>The image needs its own /etc/ld.so.cache (see <see cref="ClosureResult.NeedsLoaderCache"/>).</summary>
    public bool NeedsLoaderCache { get; init; }
}

/// <summary>
/// The one way from a spec to the paths of a rootfs, which `vzbuild trace`, `bundle` and `minify`
/// all call, so the same spec and root give the same rootfs whichever command builds it:
/// <list type="number">
/// <item>expand: the listed paths and every '+' glob's matches (<see cref="SpecExpander"/>);</item>
/// <item>close them over symlinks, ELF interpreters and libraries, #! interpreters, Python
/// sources and the NSS set (<see cref="ClosureResolver"/>), so nothing needed is missed;</item>
/// <item>apply the '+'/'-' lines last, to everything: the last line matching a path decides, so
/// the closure never brings back what a '-' line took out (<c>- /etc/passwd</c> stays out though
/// NSS would add it).</item>
/// </list>
/// Without the closure (<c>bundle --no-closure</c>), listed paths are kept even when absent, for
/// the copy to report.
/// </summary>
public static class SpecResolver
{
    public static ResolvedSpec Resolve(Spec spec, string root, bool close = true)
    {
        RefuseEscapes(spec);
        var fs = ClosureResolver.OpenRoot(root);
        var includes = SpecExpander.Includes(spec, fs);
        var candidates = SpecExpander.Candidates(spec, fs, includes, keepMissing: !close);
        if (!close)
        {
            var (paths, effects) = SpecExpander.Decide(candidates, spec, includes);
            return new ResolvedSpec(paths, [], effects);
        }
        var closure = ClosureResolver.Resolve(candidates, new ClosureOptions { Root = root });
        var (kept, counted) = SpecExpander.Decide(closure.Paths, spec, includes);
        return new ResolvedSpec(kept, closure.Warnings, counted) { NeedsLoaderCache = closure.NeedsLoaderCache };
    }

    /// <summary>A listed path or glob with ".." would name something other than what it says: VZ1103.</summary>
    public static void RefuseEscapes(Spec spec)
    {
        foreach (var path in spec.Paths.Where(HasDotDot))
            throw new VzException(TraceErrors.SpecPathEscapes, $"spec path has '..' parts, refusing it: {path}", "list paths as they are inside the root");
        foreach (var rule in spec.Rules.Where(r => HasDotDot(r.Glob)))
            throw new VzException(TraceErrors.SpecPathEscapes, $"spec line {rule.Line}: glob has '..' parts, refusing it: {rule.Glob}");
    }

    static bool HasDotDot(string path) => path.Split('/').Contains("..");
}
