using Vz.Fs;

namespace Vz.Trace.Closure;

/// <summary>
/// Which paths never belong in an image. The contents of pseudo and scratch
/// filesystems (/proc, /sys, /dev, /run, /tmp) are made by the kernel or the container
/// runtime at run time; the mount points themselves are kept when listed, so the image
/// still has somewhere to mount them. Loader caches describe the host's library set:
/// /etc/ld.so.cache would point at libraries the image lacks (ld.so falls back to its
/// search path without it), and /etc/ld.so.preload would force host-only libraries into
/// every process, so both are dropped.
/// </summary>
public static class PathFilter
{
    static readonly string[] PseudoRoots = ["/proc", "/sys", "/dev", "/run", "/tmp"];
    static readonly string[] LoaderFiles = ["/etc/ld.so.cache", "/etc/ld.so.preload"];

    /// <summary>True when an absolute path (as seen inside the root) should be kept.</summary>
    public static bool Keep(string path)
    {
        var p = RootFs.Normalize(path);
        foreach (var root in PseudoRoots)
            if (p.StartsWith(root + "/", StringComparison.Ordinal))
                return false;
        return !LoaderFiles.Contains(p, StringComparer.Ordinal);
    }

    public static IEnumerable<string> Apply(IEnumerable<string> paths) => paths.Where(Keep);
}
