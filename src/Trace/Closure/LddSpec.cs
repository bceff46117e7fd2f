using Vz.Fs;

namespace Vz.Trace.Closure;

/// <summary>
/// <c>vzbuild ldd</c>: a spec from ELF headers alone. The binaries are found inside the
/// root (a bare name on the search path), closed over, and the first becomes the spec's
/// command. Nothing is run, so files a program opens at run time (data, plugins) are
/// missing: trace for those, or add <c>+ GLOB</c> lines.
/// </summary>
public static class LddSpec
{
    public static (Spec.Spec Spec, IReadOnlyList<string> Warnings) Build(IReadOnlyList<string> binaries, ClosureOptions options)
    {
        if (binaries.Count == 0)
            throw new VzException(TraceErrors.BinaryNotFound, "no binary given", "vzbuild ldd /usr/bin/perl");
        var fs = ClosureResolver.OpenRoot(options.Root);
        var paths = binaries.Select(b => Locate(fs, b, options)).ToArray();
        var closure = ClosureResolver.Resolve(paths, options);
        var warnings = closure.NeedsLoaderCache
            ? [.. closure.Warnings, "some libraries are found only through /etc/ld.so.conf: an image of this spec needs its own /etc/ld.so.cache (ldconfig -r ROOTFS)"]
            : closure.Warnings;
        return (Spec.Spec.FromPaths(closure.Paths, [paths[0]]), warnings);
    }

    /// <summary>
    /// The absolute path (inside the root) of a binary named on the command line. Kept as
    /// named, not canonical: multi-call programs (busybox) look at the name they run as.
    /// </summary>
    public static string Locate(RootFs fs, string binary, ClosureOptions options)
    {
        if (binary.Contains('/'))
        {
            // A relative path means the caller's cwd on the host; inside another root, the root's top.
            var path = binary.StartsWith('/') ? binary
                : fs.Root == "/" ? Path.GetFullPath(binary) : "/" + binary;
            if (fs.Resolve(path).Ok)
                return RootFs.Normalize(path);
            throw new VzException(TraceErrors.BinaryNotFound, $"{binary}: not found in {fs.Root}");
        }
        if (fs.Which(binary, options.SearchPath).Path is { } found)
            return found;
        throw new VzException(TraceErrors.BinaryNotFound, $"{binary}: not found on {string.Join(':', options.SearchPath)} in {fs.Root}",
            "give the binary's absolute path");
    }
}
