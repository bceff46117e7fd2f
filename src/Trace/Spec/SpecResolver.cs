using Vz.Fs;
using Vz.Trace.Closure;

namespace Vz.Trace.Spec;

/// <summary>How many paths one '+'/'-' rule matched: files a '+' glob found, paths a '-' glob took out.</summary>
public sealed record RuleEffect(SpecRule Rule, int Count);

/// <summary>What a spec stands for inside a root: the paths to copy, and what the closure had to say.</summary>
public sealed record ResolvedSpec(IReadOnlyList<string> Paths, IReadOnlyList<string> Warnings, IReadOnlyList<RuleEffect> Effects)
{
    /// <summary>Listed paths that are not in the root (left out; <see cref="SpecChecker"/> reports them with their lines).</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];
    /// <summary>The image needs its own /etc/ld.so.cache (see <see cref="ClosureResult.NeedsLoaderCache"/>).</summary>
    public bool NeedsLoaderCache { get; init; }
}

/// <summary>
/// The one way from a spec to the paths of a rootfs, which `vzbuild trace`, `bundle` and `minify`
/// all call, so the same spec and root give the same rootfs whichever command builds it:
/// <list type="number">
/// <item>expand: the listed paths that exist in the root, and every '+' glob's matches (canonical
/// paths, plus the symlinks of the glob's literal directories; globs never walk through a link);</item>
/// <item>close them over symlinks, ELF interpreters and libraries, #! interpreters, Python
/// sources and the NSS set (<see cref="ClosureResolver"/>), so nothing needed is missed;</item>
/// <item>apply the '+'/'-' lines last, to everything: the last line matching a path decides
/// (<c>- /usr/share/doc/**</c> then <c>+ /usr/share/doc/perl/copyright</c> keeps that one file),
/// so the closure never brings back what a '-' line took out (<c>- /etc/passwd</c> stays out
/// though NSS would add it).</item>
/// </list>
/// Without the closure (<c>bundle --no-closure</c>), step 2 is skipped.
/// </summary>
public static class SpecResolver
{
    public static ResolvedSpec Resolve(Spec spec, string root, bool close = true)
    {
        RefuseEscapes(spec);
        var fs = ClosureResolver.OpenRoot(root);
        var includes = spec.Rules.Where(r => r.Include).Distinct().ToDictionary(r => r, r => RootGlob.Match(fs, r.Glob));
        var missing = spec.Paths.Where(p => !fs.Exists(p)).ToArray();
        var candidates = spec.Paths.Except(missing).Concat(includes.Values.SelectMany(m => m))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var closure = close ? ClosureResolver.Resolve(candidates, new ClosureOptions { Root = root }) : null;
        var (paths, effects) = Decide(closure?.Paths ?? candidates, spec, includes);
        return new ResolvedSpec(paths, closure?.Warnings ?? [], effects)
        {
            Missing = missing,
            NeedsLoaderCache = closure?.NeedsLoaderCache ?? false,
        };
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

    /// <summary>
    /// The paths the last matching rule does not take out, and each rule's count: a '+' rule's
    /// matches inside the root, a '-' rule's matches among <paramref name="paths"/>.
    /// </summary>
    static (IReadOnlyList<string> Paths, IReadOnlyList<RuleEffect> Effects) Decide(
        IReadOnlyList<string> paths, Spec spec, Dictionary<SpecRule, IReadOnlyList<string>> includes)
    {
        var decided = new Dictionary<string, bool>(StringComparer.Ordinal);
        var effects = new List<RuleEffect>();
        foreach (var rule in spec.Rules)
        {
            IReadOnlyCollection<string> matched = rule.Include ? includes[rule] : RootGlob.Filter(rule.Glob, paths);
            foreach (var p in matched)
                decided[p] = rule.Include;
            effects.Add(new RuleEffect(rule, matched.Count));
        }
        return (paths.Where(p => decided.GetValueOrDefault(p, true)).ToArray(), effects);
    }
}
