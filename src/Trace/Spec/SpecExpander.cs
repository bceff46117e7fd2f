using Vz.Fs;
using Vz.Trace.Closure;

namespace Vz.Trace.Spec;

/// <summary>How many paths one '+'/'-' rule added or removed during an expansion.</summary>
public sealed record RuleEffect(SpecRule Rule, int Count);

/// <summary>Turns a spec into concrete paths under a root: listed paths, then '+'/'-' globs in order.</summary>
public static class SpecExpander
{
    /// <summary>Absolute paths (as seen inside root), sorted and unique, that exist under root.</summary>
    public static IReadOnlyList<string> Expand(Spec spec, string root) => ExpandWithEffects(spec, root).Paths;

    /// <summary>
    /// The expansion and what each rule did. Listed paths are kept when they exist inside
    /// the root (missing ones are dropped here; <see cref="SpecChecker"/> reports them).
    /// A '+' glob adds the files it matches inside the root (canonical paths, plus the
    /// symlinks of its literal directories); a '-' glob removes the paths matched so far.
    /// </summary>
    public static (IReadOnlyList<string> Paths, IReadOnlyList<RuleEffect> Effects) ExpandWithEffects(Spec spec, string root)
    {
        var fs = new RootFs(root);
        var paths = new SortedSet<string>(spec.Paths.Where(fs.Exists), StringComparer.Ordinal);
        var effects = new List<RuleEffect>();
        foreach (var rule in spec.Rules)
        {
            if (rule.Include)
            {
                var matches = RootGlob.Match(fs, rule.Glob);
                paths.UnionWith(matches);
                effects.Add(new RuleEffect(rule, matches.Count));
            }
            else
            {
                var matched = RootGlob.Filter(rule.Glob, paths);
                var removed = paths.RemoveWhere(matched.Contains);
                effects.Add(new RuleEffect(rule, removed));
            }
        }
        return (paths.ToArray(), effects);
    }
}
