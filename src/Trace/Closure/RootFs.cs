namespace Vz.Trace.Closure;

/// <summary>Why a path did not resolve inside a root.</summary>
public enum ResolveError
{
    None,
    /// <summary>The path (or a symlink target along it) does not exist.</summary>
    Missing,
    /// <summary>More than 40 symlinks followed, as the kernel's ELOOP (MAXSYMLINKS).</summary>
    Loop,
    /// <summary>A component that must be a directory is a file.</summary>
    NotDirectory,
}

/// <summary>
/// The result of resolving a path inside a root. <see cref="Path"/> is canonical: no
/// symlink among its components (for a missing path, as far as it got).
/// <see cref="Chain"/> lists, in order, every symlink met and the canonical path each one
/// resolved to, so copying the chain reproduces how the path resolves.
/// </summary>
public sealed record RootResolution(string Path, IReadOnlyList<string> Chain, ResolveError Error)
{
    public bool Ok => Error == ResolveError.None;
}

/// <summary>What lstat says about one path inside the root.</summary>
public enum EntryKind { Missing, File, Directory, Symlink }

/// <summary>
/// A directory tree seen as if chroot-ed into it: every path is absolute inside
/// <see cref="Root"/>, symlinks are resolved here component by component, an absolute
/// link target restarts at Root and ".." stops at Root, so nothing outside the root
/// is ever read (the semantics of openat2 RESOLVE_IN_ROOT, see openat2(2)).
/// </summary>
public sealed class RootFs
{
    // Linux MAXSYMLINKS: path resolution fails with ELOOP after this many links.
    const int MaxSymlinks = 40;

    public RootFs(string root)
    {
        var full = System.IO.Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new VzException("VZ1202", $"{root}: root is not a directory", "pass --root an unpacked rootfs directory");
        Root = full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>The root directory on the host, without a trailing slash (except "/").</summary>
    public string Root { get; }

    /// <summary>The host path of a path inside the root. Does not resolve symlinks.</summary>
    public string HostPath(string path) =>
        Root == "/" ? Normalize(path) : Root + (Normalize(path) == "/" ? "" : Normalize(path));

    /// <summary>Collapses "//" and "." (not ".."), so "/a//b/./c" reads "/a/b/c".</summary>
    public static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return "/" + string.Join('/', parts);
    }

    /// <summary>lstat of a canonical path (no symlink among its parents, as <see cref="Resolve"/> returns).</summary>
    public EntryKind Kind(string canonicalPath) => KindOf(HostPath(canonicalPath));

    /// <summary>lstat of any path inside the root: its parents are resolved here, the last component is not followed.</summary>
    public EntryKind Lstat(string path) => Resolve(path, followLast: false) is { Ok: true } r ? Kind(r.Path) : EntryKind.Missing;

    /// <summary>True when the path exists inside the root (a dangling symlink exists).</summary>
    public bool Exists(string path) => Resolve(path, followLast: false).Ok;

    /// <summary>The target text of a symlink (null if not a symlink).</summary>
    public string? ReadLink(string canonicalPath) => new FileInfo(HostPath(canonicalPath)).LinkTarget;

    /// <summary>The PATH searched when none is given (the usual one of Debian and of OCI images).</summary>
    public static IReadOnlyList<string> DefaultPath { get; } =
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>
    /// The first <c>DIR/name</c> that is an executable regular file (after links), as
    /// execvp(3) searches PATH; the path is returned as found, not canonical.
    /// </summary>
    public string? Which(string name, IEnumerable<string> searchPath)
    {
        foreach (var dir in searchPath)
        {
            var candidate = $"{dir.TrimEnd('/')}/{name}";
            if (Resolve(candidate) is { Ok: true } r && Kind(r.Path) == EntryKind.File
                && (File.GetUnixFileMode(HostPath(r.Path)) & AnyExecute) != 0)
                return candidate;
        }
        return null;
    }

    const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Resolves a path inside the root; <paramref name="followLast"/> as stat vs lstat.</summary>
    public RootResolution Resolve(string path, bool followLast = true)
    {
        var chain = new List<string>();
        var links = 0;
        var (parts, error) = Walk([], Split(path), followLast, chain, ref links);
        return new RootResolution(Join(parts), chain, error);
    }

    (List<string> Parts, ResolveError Error) Walk(
        List<string> start, List<string> components, bool followLast, List<string> chain, ref int links)
    {
        var current = new List<string>(start);
        for (var i = 0; i < components.Count; i++)
        {
            var c = components[i];
            var last = i == components.Count - 1;
            if (c == "..")
            {
                // ".." at the root stays at the root, as after chroot.
                if (current.Count > 0)
                    current.RemoveAt(current.Count - 1);
                continue;
            }
            current.Add(c);
            var here = Join(current);
            var kind = Kind(here);
            if (kind == EntryKind.Missing)
            {
                current.AddRange(components.Skip(i + 1).Where(p => p != ".."));
                return (current, ResolveError.Missing);
            }
            if (kind == EntryKind.Symlink && (!last || followLast))
            {
                chain.Add(here);
                if (++links > MaxSymlinks)
                    return (current, ResolveError.Loop);
                var target = ReadLink(here) ?? "";
                current.RemoveAt(current.Count - 1);
                var from = target.StartsWith('/') ? [] : current;
                var (resolved, error) = Walk(from, Split(target), followLast: true, chain, ref links);
                if (error != ResolveError.None)
                    return (resolved, error);
                chain.Add(Join(resolved));
                current = resolved;
                kind = Kind(Join(current));
            }
            if (!last && kind == EntryKind.File)
                return (current, ResolveError.NotDirectory);
        }
        return (current, ResolveError.None);
    }

    static List<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();

    static string Join(List<string> parts) => "/" + string.Join('/', parts);

    static EntryKind KindOf(string hostPath)
    {
        var info = new FileInfo(hostPath);
        if (info.LinkTarget is not null)
            return EntryKind.Symlink;
        if (Directory.Exists(hostPath))
            return EntryKind.Directory;
        return info.Exists ? EntryKind.File : EntryKind.Missing;
    }
}
