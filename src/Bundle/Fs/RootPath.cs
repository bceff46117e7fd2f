namespace Vz.Bundle.Fs;

/// <summary>One step met while resolving a path inside a root: a directory, a symlink, or the final object.</summary>
public sealed record PathStep(string InsidePath, FileStat Stat, string? LinkTarget);

/// <summary>Where a path led: every step on the way, and the canonical path it ends at (null if missing).</summary>
public sealed record Resolution(IReadOnlyList<PathStep> Steps, string? Final, string? Missing);

/// <summary>
/// Resolves paths inside a root the way the kernel would after chroot(2): absolute symlink
/// targets start again at the root, and ".." at the root stays at the root. So nothing a
/// symlink in the root says can lead outside it.
/// </summary>
public static class RootPath
{
    /// <summary>Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS).</summary>
    const int MaxSymlinks = 40;

    /// <summary>
    /// Checks a path from a spec or list: absolute, no "." or ".." parts, no NUL. Returns it
    /// with repeated slashes collapsed. Refusing ".." (rather than clamping it) keeps a path
    /// list from naming anything but what it says.
    /// </summary>
    public static string Normalize(string path)
    {
        if (path.Length == 0 || path[0] != '/')
            throw new VzException("VZ2001", $"path is not absolute: {Show(path)}");
        if (path.Contains('\0'))
            throw new VzException("VZ2001", $"path contains a NUL byte: {Show(path)}");
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
            throw new VzException("VZ2001", $"path has '.' or '..' parts, refusing it: {Show(path)}",
                "list paths as they are inside the root, without '..'");
        return "/" + string.Join('/', parts);
    }

    /// <summary>The host path of a canonical inside path.</summary>
    public static string OnHost(string root, string insidePath) =>
        insidePath == "/" ? root : root.TrimEnd('/') + insidePath;

    /// <summary>
    /// Walks <paramref name="insidePath"/> under <paramref name="root"/>, following every
    /// symlink (the final one too) with chroot semantics. Steps lists each directory and
    /// symlink passed and the final object; Missing names the first part that does not exist.
    /// </summary>
    public static Resolution Resolve(string root, string insidePath)
    {
        var steps = new List<PathStep>();
        var pending = new Stack<string>(Normalize(insidePath).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var cur = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name is "" or ".")
                continue;
            if (name == "..")
            {
                if (cur.Count > 0) cur.RemoveAt(cur.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', cur.Append(name));
            var st = Posix.LStat(OnHost(root, candidate));
            if (st is null)
                return new Resolution(steps, null, candidate);
            if (st.Type == UnixFileType.Symlink)
            {
                if (++links > MaxSymlinks)
                    throw new VzException("VZ2004", $"{insidePath}: too many levels of symlinks under {root}");
                var target = new FileInfo(OnHost(root, candidate)).LinkTarget ?? "";
                steps.Add(new PathStep(candidate, st, target));
                foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    pending.Push(part);
                if (target.StartsWith('/'))
                    cur.Clear();
                continue;
            }
            if (st.Type != UnixFileType.Directory && pending.Count > 0)
                return new Resolution(steps, null, candidate + "/" + string.Join('/', pending));
            steps.Add(new PathStep(candidate, st, null));
            cur.Add(name);
        }
        return new Resolution(steps, "/" + string.Join('/', cur), null);
    }

    static string Show(string s) => s.Replace("\0", "\\0");
}
