namespace Vz.Bundle.Minify;

/// <summary>
/// Host mounts minify makes while it works, taken away (lazily, so a program that left a process
/// behind cannot keep them) in reverse order on Dispose: an overlay that gives a rootfs directory
/// a writable view without changing it. The traced program's /proc and /dev are not here: they
/// are mounted inside its own mount namespace and vanish with it.
/// </summary>
internal sealed class TraceMounts : IDisposable
{
    readonly List<string> mounted = new();

    /// <summary>
    /// <paramref name="lower"/> seen at <paramref name="view"/>, writes going to <paramref name="scratch"/>:
    /// the program traced in a user's rootfs directory never changes that directory.
    /// </summary>
    public static TraceMounts Overlay(string lower, string scratch, string view)
    {
        var m = new TraceMounts();
        var upper = Path.Combine(scratch, "upper");
        var work = Path.Combine(scratch, "work");
        foreach (var d in new[] { upper, work, view })
            Directory.CreateDirectory(d);
        // overlayfs option values are comma separated; ',' and ':' in a path would split it.
        foreach (var path in new[] { lower, upper, work })
            if (path.IndexOfAny([',', ':']) >= 0)
                throw new VzException(MinifyErrors.UnusableRootfsPath, $"{path}: overlayfs cannot take a directory path with ',' or ':'");
        m.Mount(view, "-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={upper},workdir={work}");
        return m;
    }

    /// <summary>
    /// Makes sure <c>ROOTFS/proc</c> and <c>ROOTFS/dev</c> are directories: the traced program gets a
    /// fresh procfs and a minimal /dev there, mounted in its own mount namespace (<c>Isolation</c>),
    /// so nothing is mounted on the host for it.
    /// </summary>
    public static void PrepareMountPoints(string rootfs)
    {
        foreach (var target in new[] { Path.Combine(rootfs, "proc"), Path.Combine(rootfs, "dev") })
        {
            // A symlinked /proc or /dev in an image would point the mount elsewhere: refuse it.
            if (new FileInfo(target).LinkTarget is not null)
                throw new VzException(MinifyErrors.ProcOrDevIsSymlink, $"{target} is a symlink in the source image; refusing to mount over it");
            Directory.CreateDirectory(target);
        }
    }

    void Mount(string target, params string[] args)
    {
        Directory.CreateDirectory(target);
        ProcessRunner.RunChecked(MinifyErrors.MountFailed, "mount", [.. args, target]);
        mounted.Add(target);
    }

    public void Dispose()
    {
        for (var i = mounted.Count - 1; i >= 0; i--)
            ProcessRunner.Run(new ProcessSpec("umount", ["-R", "-l", mounted[i]]));
        mounted.Clear();
    }

    /// <summary>
    /// Mount points at or below <paramref name="dir"/> (from /proc/self/mountinfo). A recursive
    /// delete of a directory with the host's /dev still bound inside would empty the host's /dev.
    /// </summary>
    public static IReadOnlyList<string> Under(string dir)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        return File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 4)
            .Select(f => Unescape(f[4]))
            .Where(p => p == prefix || p.StartsWith(prefix + "/", StringComparison.Ordinal))
            .ToList();
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo (proc(5)).
    static string Unescape(string s) =>
        System.Text.RegularExpressions.Regex.Replace(s, @"\\([0-7]{3})", m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
