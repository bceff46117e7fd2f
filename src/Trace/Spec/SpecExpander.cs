using Vz.Fs;
using Vz.Trace.Closure;

namespace Vz.Trace.Spec;

/// <summary>How many paths one '+'/'-' rule matched: files a '+' glob found, paths a '-' glob took out.</summary>
public sealed record RuleEffect(SpecRule Rule, int Count);

/// <summary>
/// A spec's '+'/'-' lines as sets: what the listed paths and '+' globs bring in, and which rule
/// decides about a path. The rules read in file order, so the last line matching a path decides:
/// <c>- /usr/share/doc/**</c> then <c>+ /usr/share/doc/perl/copyright</c> keeps that one file.
/// </summary>
public static class SpecExpander
{
    /// <summary>Absolute paths (as seen inside root), sorted and unique, that exist under root; no closure.</summary>
    public static IReadOnlyList<string> Expand(Spec spec, string root) => ExpandWithEffects(spec, root).Paths;

    /// <summary>
    /// The expansion without a closure and what each rule did. Listed paths are kept when they
    /// exist inside the root (missing ones are dropped here; <see cref="SpecChecker"/> reports
    /// them). A '+' glob adds the files it matches inside the root (canonical paths, plus the
    /// symlinks of its literal directories); a '-' glob takes out the paths it matches, unless a
    /// later '+' line matches them again.
    /// </summary>
    public static (IReadOnlyList<string> Paths, IReadOnlyList<RuleEffect> Effects) ExpandWithEffects(Spec spec, string root)
    {
        var fs = ClosureResolver.OpenRoot(root);
        var matches = Includes(spec, fs);
        return Decide(Candidates(spec, fs, matches, keepMissing: false), spec, matches);
    }

    /// <summary>What each '+' glob matches inside the root, by rule.</summary>
    internal static IReadOnlyDictionary<SpecRule, IReadOnlyList<string>> Includes(Spec spec, RootFs fs) =>
        spec.Rules.Where(r => r.Include).Distinct().ToDictionary(r => r, r => RootGlob.Match(fs, r.Glob));

    /// <summary>The listed paths (only those that exist, unless <paramref name="keepMissing"/>) and every '+' match.</summary>
    internal static IReadOnlyList<string> Candidates(Spec spec, RootFs fs, IReadOnlyDictionary<SpecRule, IReadOnlyList<string>> includes, bool keepMissing) =>
        (keepMissing ? spec.Paths : spec.Paths.Where(fs.Exists)).Concat(includes.Values.SelectMany(m => m))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The paths the last matching rule does not take out, and each rule's count: a '+' rule's
    /// matches inside the root, a '-' rule's matches among <paramref name="paths"/>.
    /// </summary>
    internal static (IReadOnlyList<string> Paths, IReadOnlyList<RuleEffect> Effects) Decide(
        IReadOnlyList<string> paths, Spec spec, IReadOnlyDictionary<SpecRule, IReadOnlyList<string>> includes)
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
