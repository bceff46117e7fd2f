namespace Vz.Trace.Spec;

/// <summary>Turns a spec into concrete paths under a root: listed paths, then '+'/'-' globs in order.</summary>
public static class SpecExpander
{
    /// <summary>Absolute paths (as seen inside root), sorted and unique, that exist under root.</summary>
    public static IReadOnlyList<string> Expand(Spec spec, string root) =>
        throw new NotImplementedException("spec expansion lands with the ELF/closure work");
}
