namespace Vz.Fs;

/// <summary>Why a path did not resolve inside a root.</summary>
public enum ResolveError
{
    None,
    /// <summary>The path (or a symlink target along it) does not exist.</summary>
    Missing,
    /// <summary>More than <see cref="RootFs.MaxSymlinks"/> symlinks followed, as the kernel's ELOOP.</summary>
    Loop,
    /// <summary>A component that must be a directory is something else.</summary>
    NotDirectory,
}

/// <summary>One entry met while resolving: a directory on the way, a symlink (with its target), or the final object.</summary>
public sealed record PathStep(string Path, FileStat Stat, string? LinkTarget);

/// <summary>
/// Where a path led inside a root. <see cref="Path"/> is canonical: no symlink among its
/// components (for a failed resolution, as far as it got). <see cref="Steps"/> lists every
/// directory, symlink and final object met, with the stat read on the way, so copying them
/// reproduces how the path resolves. <see cref="Chain"/> lists, in order, every symlink met
/// and the canonical path each one resolved to. <see cref="Stat"/> is the final object's
/// (of the symlink itself when the last one was not followed).
/// </summary>
public sealed record Resolution(string Path, ResolveError Error)
{
    public IReadOnlyList<PathStep> Steps { get; init; } = [];
    public IReadOnlyList<string> Chain { get; init; } = [];
    public FileStat? Stat { get; init; }
    /// <summary>For Missing and NotDirectory: the first path inside the root that does not exist.</summary>
    public string? Missing { get; init; }

    public bool Ok => Error == ResolveError.None;

    /// <summary>True when the path resolved to an entry of this type.</summary>
    public bool Is(UnixFileType type) => Ok && Stat?.Type == type;
}

/// <summary>
/// A program looked up as execvp(3) does. <see cref="Path"/> is the candidate as found (not
/// canonical: multi-call programs look at the name they run as), null when none is an
/// executable file; <see cref="NotExecutable"/> names the first candidate that exists but is
/// not an executable regular file, for the message.
/// </summary>
public sealed record ProgramLookup(string? Path, Resolution? Resolution, string? NotExecutable);

/// <summary>
/// A directory tree seen as if chroot-ed into it, the one place vz defines containment: every
/// path is absolute inside <see cref="Root"/>; symlinks are followed here, component by
/// component; an absolute link target restarts at Root; ".." stops at Root; more than
/// <see cref="MaxSymlinks"/> links is a loop. Nothing outside the root is ever read (the
/// semantics of openat2 RESOLVE_IN_ROOT, see openat2(2)). The root itself may be a symlink.
/// </summary>
public sealed class RootFs
{
    /// <summary>Linux's MAXSYMLINKS: a lookup fails with ELOOP after following this many.</summary>
    public const int MaxSymlinks = 40;

    /// <summary>The PATH searched when none is given (the usual one of Debian and of OCI images).</summary>
    public static IReadOnlyList<string> DefaultPath { get; } =
        ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    public RootFs(string root)
    {
        var full = System.IO.Path.GetFullPath(root);
        Root = full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>The root when it is a directory (or a symlink to one); null otherwise, for the caller's own error.</summary>
    public static RootFs? Open(string root) => Directory.Exists(root) ? new RootFs(root) : null;

    /// <summary>The root directory on the host, without a trailing slash (except "/").</summary>
    public string Root { get; }

    /// <summary>The host path of a path inside the root, folded lexically; symlinks are not resolved.</summary>
    public string HostPath(string path)
    {
        var inside = Normalize(path);
        return Root == "/" ? inside : inside == "/" ? Root : Root + inside;
    }

    /// <summary>
    /// The one path normalisation: <paramref name="path"/> taken against the absolute
    /// <paramref name="baseDir"/> when relative, "" and "." parts dropped, ".." folded lexically
    /// and stopping at "/". Lexical, so only for paths without symlinks in the way (a trace's
    /// view, a canonical path); <see cref="Resolve"/> handles ".." after symlinks.
    /// </summary>
    public static string Normalize(string path, string baseDir = "/")
    {
        var parts = new List<string>();
        var full = path.StartsWith('/') ? path : baseDir + "/" + path;
        foreach (var part in full.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    /// <summary>
    /// Why a listed path (a spec line, a bundle's path list) is refused, or null when it is
    /// fine: it must be absolute, without NUL, "." or ".." parts. Refusing ".." rather than
    /// folding it keeps a list from naming anything but what it says.
    /// </summary>
    public static string? Problem(string path)
    {
        if (path.Length == 0 || path[0] != '/')
            return "path is not absolute";
        if (path.Contains('\0'))
            return "path contains a NUL byte";
        if (path.Split('/').Any(p => p is "." or ".."))
            return "path has '.' or '..' parts";
        return null;
    }

    /// <summary>lstat of a canonical path (no symlink among its parents, as <see cref="Resolve"/> returns).</summary>
    public FileStat? Stat(string canonicalPath) => FileStat.Of(HostPath(canonicalPath));

    /// <summary>lstat of any path inside the root: its parents are resolved here, the last component is not followed.</summary>
    public FileStat? Lstat(string path) => Resolve(path, followLast: false) is { Ok: true } r ? r.Stat : null;

    /// <summary>True when the path exists inside the root (a dangling symlink exists).</summary>
    public bool Exists(string path) => Resolve(path, followLast: false).Ok;

    /// <summary>The target text of a symlink (null if not a symlink).</summary>
    public string? ReadLink(string canonicalPath) => new FileInfo(HostPath(canonicalPath)).LinkTarget;

    /// <summary>A PATH variable's directories; <see cref="DefaultPath"/> when there is none.</summary>
    public static IReadOnlyList<string> SearchPath(string? pathVariable) =>
        pathVariable is null ? DefaultPath : pathVariable.Split(':', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// execvp(3)'s search inside the root: a name with a slash is taken against
    /// <paramref name="cwd"/>; a bare name is tried in each directory of
    /// <paramref name="searchPath"/> in order, and the first executable regular file (after
    /// links) wins; one that exists but cannot run does not stop the search.
    /// </summary>
    public ProgramLookup Which(string name, IEnumerable<string> searchPath, string cwd = "/")
    {
        var candidates = name.Contains('/')
            ? [name.StartsWith('/') ? name : $"{cwd.TrimEnd('/')}/{name}"]
            : searchPath.Select(dir => $"{(dir.StartsWith('/') ? dir : $"{cwd.TrimEnd('/')}/{dir}").TrimEnd('/')}/{name}");
        string? notExecutable = null;
        foreach (var candidate in candidates)
        {
            var r = Resolve(candidate);
            if (!r.Ok)
                continue;
            if (r.Stat!.IsExecutableFile)
                return new ProgramLookup(candidate, r, null);
            notExecutable ??= r.Path;
        }
        return new ProgramLookup(null, null, notExecutable);
    }

    /// <summary>Resolves a path inside the root; <paramref name="followLast"/> as stat vs lstat.</summary>
    public Resolution Resolve(string path, bool followLast = true)
    {
        var walk = new Walk(this);
        var (parts, error, stat) = walk.Run([], Split(path), followLast);
        var canonical = Join(parts);
        return new Resolution(canonical, error)
        {
            Steps = walk.Steps,
            Chain = walk.Chain,
            Stat = error == ResolveError.None ? stat ?? Stat(canonical) : null,
            Missing = walk.Missing,
        };
    }

    /// <summary>One resolution: the steps and links it met, and how many links so far.</summary>
    sealed class Walk(RootFs fs)
    {
        public readonly List<PathStep> Steps = [];
        public readonly List<string> Chain = [];
        public string? Missing;
        int links;

        public (List<string> Parts, ResolveError Error, FileStat? Stat) Run(List<string> start, List<string> components, bool followLast)
        {
            var current = new List<string>(start);
            FileStat? stat = null;
            for (var i = 0; i < components.Count; i++)
            {
                var c = components[i];
                var last = i == components.Count - 1;
                if (c == "..")
                {
                    // ".." at the root stays at the root, as after chroot.
                    if (current.Count > 0)
                        current.RemoveAt(current.Count - 1);
                    stat = null;
                    continue;
                }
                current.Add(c);
                var here = Join(current);
                var st = fs.Stat(here);
                if (st is null)
                {
                    Missing = here;
                    current.AddRange(components.Skip(i + 1).Where(p => p != ".."));
                    return (current, ResolveError.Missing, null);
                }
                if (st.Type == UnixFileType.Symlink && (!last || followLast))
                {
                    var target = fs.ReadLink(here) ?? "";
                    Steps.Add(new PathStep(here, st, target));
                    Chain.Add(here);
                    if (++links > MaxSymlinks)
                        return (current, ResolveError.Loop, null);
                    current.RemoveAt(current.Count - 1);
                    var (resolved, error, targetStat) = Run(target.StartsWith('/') ? [] : current, Split(target), followLast: true);
                    if (error != ResolveError.None)
                        return (resolved, error, null);
                    Chain.Add(Join(resolved));
                    current = resolved;
                    st = targetStat ?? fs.Stat(Join(current))!;
                }
                else
                    Steps.Add(new PathStep(here, st, st.Type == UnixFileType.Symlink ? fs.ReadLink(here) : null));
                if (!last && st.Type != UnixFileType.Directory)
                {
                    Missing = Join([.. current, .. components.Skip(i + 1).Take(1)]);
                    return (current, ResolveError.NotDirectory, null);
                }
                stat = st;
            }
            return (current, ResolveError.None, stat);
        }
    }

    static List<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();

    static string Join(List<string> parts) => "/" + string.Join('/', parts);
}
