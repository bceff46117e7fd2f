using Vz.Fs;

namespace Vz.Trace.Strace;

/// <summary>What a traced program used: absolute paths as seen inside the traced root.</summary>
public sealed record TraceResult(
    IReadOnlyList<string> Paths,
    IReadOnlyList<string> Executed,
    IReadOnlyList<string> Warnings,
    bool Truncated)
{
    /// <summary>The first program executed (after the chroot, in root mode): the file the command's execvp ran.</summary>
    public string? Executable { get; init; }
    /// <summary>Paths the program made before using them (directories, O_EXCL files, sockets, links, rename targets): not the image's.</summary>
    public IReadOnlyList<string> Created { get; init; } = [];
}

/// <summary>How to read a log: where the first process started and which calls count.</summary>
public sealed record TrackerOptions
{
    /// <summary>The first traced process's cwd; strace 6.x -y also shows it on every AT_FDCWD.</summary>
    public string? InitialCwd { get; init; }
    /// <summary>Count stat/access/readlink calls that succeeded, not only opens and execs.</summary>
    public bool WithStat { get; init; }
    /// <summary>
    /// Host path of the root the command runs in under <c>chroot ROOT CMD</c> (minify).
    /// Only processes that have chrooted are counted, and their paths are reported
    /// inside the root; the chroot program's own host files are not.
    /// </summary>
    public string? ChrootRoot { get; init; }
}

/// <summary>
/// Events to the set of paths a program used successfully, and the directories it relied on:
/// mkdir targets that already existed (EEXIST), O_DIRECTORY opens, chdir targets, and the
/// directories it made files, sockets, links and directories in; what it made itself is
/// <see cref="TraceResult.Created"/>, not used. Resolves relative paths
/// against each process's own cwd (inherited across fork/vfork/clone, shared with
/// CLONE_FS) and against -y decoded dirfds; normalises <c>.</c> and <c>..</c> lexically,
/// since symlinks are the closure's job. Pure: no filesystem access.
/// </summary>
public static partial class AccessTracker
{
    static readonly HashSet<string> ForkCalls = ["clone", "clone3", "fork", "vfork"];
    static readonly HashSet<string> StatCalls = [.. Tracer.Names(Tracer.StatSyscalls)];

    /// <summary>The filesystem view a process has; threads (CLONE_FS) share one.</summary>
    sealed class FsView
    {
        /// <summary>Cwd inside the process's root, or null when unknown.</summary>
        public string? Cwd;
        /// <summary>The process's root as a host path; "/" until it calls chroot.</summary>
        public string HostRoot = "/";
        public bool Chrooted;
        public FsView Copy() => new() { Cwd = Cwd, HostRoot = HostRoot, Chrooted = Chrooted };
    }

    public static TraceResult Track(IEnumerable<StraceEvent> events, TrackerOptions options)
    {
        var list = events as IReadOnlyList<StraceEvent> ?? events.ToList();
        var calls = list.OfType<SyscallEvent>().ToList();

        // A child's first line may come before its parent's clone returns, so learn
        // every parent first; a parent is blocked in clone until then, so its state
        // when the child first shows up is its state at the clone.
        var parents = new Dictionary<int, (int Parent, bool ShareFs)>();
        foreach (var e in calls.Where(e => ForkCalls.Contains(e.Name) && e.Result is { Ok: true, Value: > 0 }))
            parents.TryAdd((int)e.Result.Value!.Value, (e.Pid, e.Args.Any(a => a.Raw.Contains("CLONE_FS", StringComparison.Ordinal))));

        var views = new Dictionary<int, FsView>();
        var used = new Uses();
        var executed = new List<string>();
        string? executable = null;
        var warnings = new List<string>();
        var truncated = false;
        var chrootRoot = options.ChrootRoot is null ? null : RootFs.Normalize(options.ChrootRoot, "/");
        int? firstPid = calls.Count > 0 ? calls[0].Pid : null;

        FsView ViewOf(int pid)
        {
            if (views.TryGetValue(pid, out var v))
                return v;
            if (parents.TryGetValue(pid, out var p))
                v = p.ShareFs ? ViewOf(p.Parent) : ViewOf(p.Parent).Copy();
            else if (pid == firstPid)
                v = new FsView { Cwd = options.InitialCwd is null ? null : RootFs.Normalize(options.InitialCwd, "/") };
            else
            {
                warnings.Add($"process {pid} appears without a traced parent; its cwd is unknown");
                v = new FsView();
            }
            views[pid] = v;
            return v;
        }

        foreach (var e in list)
        {
            if (e is NoticeEvent n)
            {
                warnings.Add($"strace log line {n.Line}: {n.Message}");
                continue;
            }
            if (e is not SyscallEvent call)
                continue;
            var view = ViewOf(call.Pid);
            if (ForkCalls.Contains(call.Name))
            {
                if (call.Result is { Ok: true, Value: > 0 })
                    ViewOf((int)call.Result.Value!.Value);
                continue;
            }
            // mkdir failing with EEXIST is a use: the program relies on that directory being there.
            var exists = call.Name is "mkdir" or "mkdirat" && call.Result.Errno == "EEXIST";
            if (!call.Result.Ok && !exists)
                continue;
            if (!options.WithStat && StatCalls.Contains(call.Name) && !FoundDirectory(call))
                continue;
            if (call.Name == "fchdir")
            {
                // The -y decoded fd path is the new cwd.
                view.Cwd = call.Args.Count > 0 && call.Args[0].Text is { } host ? Inside(host, view) : null;
                continue;
            }

            foreach (var (dirfd, pathArg, role) in Targets(call))
            {
                if (pathArg.Truncated)
                {
                    truncated = true;
                    warnings.Add($"strace log line {call.Line}: {call.Name} path was cut short by strace -s: {StraceString.Display(pathArg.Text!)}...");
                    continue;
                }
                var text = pathArg.Text!;
                // AT_EMPTY_PATH calls act on the fd itself, opened earlier and counted then.
                if (text.Length == 0)
                    continue;
                if (dirfd is { Fd: StraceArg.AtFdCwd, Text: { } cwdHost } && Inside(cwdHost, view) is { } cwdNow)
                    view.Cwd = cwdNow;
                var baseDir = text.StartsWith('/') ? "/"
                    : dirfd is null or { Fd: StraceArg.AtFdCwd } ? view.Cwd
                    : dirfd.Text is { } fdHost ? Inside(fdHost, view) : null;
                if (baseDir is null)
                {
                    warnings.Add($"strace log line {call.Line}: cannot resolve relative path {StraceString.Display(text)}: base directory unknown");
                    continue;
                }
                var resolved = RootFs.Normalize(text, baseDir);
                if (role == Role.ChangeRoot)
                {
                    view.HostRoot = Join(view.HostRoot, resolved);
                    view.Chrooted = true;
                    continue;
                }
                if (role == Role.ChangeDir)
                    view.Cwd = resolved;
                // "/" always exists; listing it would only invite copying a whole tree.
                if (Report(resolved, view, chrootRoot) is not { } reported || reported == "/")
                    continue;
                switch (role)
                {
                    case Role.Execute:
                        executable ??= reported;
                        if (!used.IsCreated(reported))
                            executed.Add(reported);
                        break;
                    case Role.MakeDirectory when exists:
                        used.Use(reported);
                        used.RelyOn(Parent(reported));
                        break;
                    case Role.MakeDirectory or Role.Create:
                        used.Create(reported);
                        used.RelyOn(Parent(reported));
                        break;
                    case Role.UseOrCreate:
                        used.Use(reported);
                        used.RelyOn(Parent(reported));
                        break;
                    default:
                        used.Use(reported);
                        break;
                }
            }
        }

        return new TraceResult(
            used.Paths.Order(StringComparer.Ordinal).ToArray(),
            executed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            warnings,
            truncated)
        {
            Executable = executable,
            Created = used.Created.Order(StringComparer.Ordinal).ToArray(),
        };
    }

    /// <summary>What a call does with a path it names.</summary>
    enum Role
    {
        /// <summary>Opens, reads or stats an existing path.</summary>
        Use,
        /// <summary>O_CREAT without O_EXCL: opens a file that may or may not have been there; its directory must be.</summary>
        UseOrCreate,
        /// <summary>Makes a new entry (O_EXCL, a socket, a FIFO, a link, a rename's target): not copied, but its directory is.</summary>
        Create,
        /// <summary>mkdir: made (not copied, its parent is) or, failing with EEXIST, relied on (copied).</summary>
        MakeDirectory,
        Execute,
        ChangeDir,
        ChangeRoot,
    }

    /// <summary>The paths a call names, with the dirfd each is relative to and what the call does with it.</summary>
    static IEnumerable<(StraceArg? DirFd, StraceArg Path, Role Role)> Targets(SyscallEvent call)
    {
        var a = call.Args;
        StraceArg? At(int i) => i < a.Count ? a[i] : null;
        StraceArg? Str(int i) => At(i) is { Kind: StraceArgKind.String } s ? s : null;
        (StraceArg?, StraceArg, Role)? Named(StraceArg? dirfd, int path, Role role) => Str(path) is { } p ? (dirfd, p, role) : null;
        IEnumerable<(StraceArg?, StraceArg, Role)?> targets = call.Name switch
        {
            "execve" => [Named(null, 0, Role.Execute)],
            "execveat" => [Named(At(0), 1, Role.Execute)],
            "chdir" => [Named(null, 0, Role.ChangeDir)],
            "chroot" => [Named(null, 0, Role.ChangeRoot)],
            "open" => [Named(null, 0, OpenRole(At(1)))],
            "creat" => [Named(null, 0, Role.UseOrCreate)],
            "openat" or "openat2" => [Named(At(0), 1, OpenRole(At(2)))],
            "mkdir" => [Named(null, 0, Role.MakeDirectory)],
            "mkdirat" => [Named(At(0), 1, Role.MakeDirectory)],
            "mknod" => [Named(null, 0, Role.Create)],
            "mknodat" => [Named(At(0), 1, Role.Create)],
            "symlink" => [Named(null, 1, Role.Create)],
            "symlinkat" => [Named(At(1), 2, Role.Create)],
            "link" or "rename" => [Named(null, 1, Role.Create)],
            "linkat" or "renameat" or "renameat2" => [Named(At(2), 3, Role.Create)],
            "bind" => [SocketPath(At(1)) is { } socket ? (null, socket, Role.Create) : null],
            "stat" or "stat64" or "lstat" or "lstat64" or "access" or "readlink" => [Named(null, 0, Role.Use)],
            "newfstatat" or "fstatat64" or "statx" or "faccessat" or "faccessat2" or "readlinkat" => [Named(At(0), 1, Role.Use)],
            _ => [],
        };
        foreach (var t in targets)
            if (t is { } target)
                yield return target;
    }

    /// <summary>A stat call whose struct says the path is a directory (<c>st_mode=S_IFDIR|…</c>, statx's <c>stx_mode=S_IFDIR|…</c>).</summary>
    static bool FoundDirectory(SyscallEvent call) =>
        call.Args.Any(a => a.Raw.Contains("_mode=S_IFDIR", StringComparison.Ordinal));

    /// <summary>O_CREAT|O_EXCL makes a new file; O_CREAT alone may open an old one; anything else uses one.</summary>
    static Role OpenRole(StraceArg? flags)
    {
        var raw = flags?.Raw ?? "";
        if (!raw.Contains("O_CREAT", StringComparison.Ordinal))
            return Role.Use;
        return raw.Contains("O_EXCL", StringComparison.Ordinal) ? Role.Create : Role.UseOrCreate;
    }

    /// <summary>The path of a bound AF_UNIX socket, from <c>{sa_family=AF_UNIX, sun_path="/run/x.sock"}</c>; abstract ones (@"...") have none.</summary>
    static StraceArg? SocketPath(StraceArg? address)
    {
        if (address is null || !address.Raw.Contains("AF_UNIX", StringComparison.Ordinal))
            return null;
        var m = SunPath().Match(address.Raw);
        return m.Success
            ? new StraceArg(StraceArgKind.String, m.Value) { Text = StraceString.FromBytes(StraceString.Unescape(m.Groups[1].Value, 0)) }
            : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"sun_path=""((?:[^""\\]|\\.)*)""")]
    private static partial System.Text.RegularExpressions.Regex SunPath();

    static string Parent(string path) => path.LastIndexOf('/') is var i and > 0 ? path[..i] : "/";

    /// <summary>
    /// Paths used and paths made: a path the program made before any use of it (and anything
    /// below a directory it made) came from the program, not the image, so it is not listed;
    /// the directory it was made in is.
    /// </summary>
    sealed class Uses
    {
        public readonly HashSet<string> Paths = new(StringComparer.Ordinal);
        public readonly HashSet<string> Created = new(StringComparer.Ordinal);

        public void Use(string path)
        {
            if (!IsCreated(path))
                Paths.Add(path);
        }

        public void Create(string path)
        {
            if (!Paths.Contains(path) && !IsCreated(path))
                Created.Add(path);
        }

        /// <summary>A directory the program needed to be there ("/" always is).</summary>
        public void RelyOn(string dir)
        {
            if (dir != "/")
                Use(dir);
        }

        public bool IsCreated(string path)
        {
            if (Created.Count == 0)
                return false;
            for (var p = path; p != "/"; p = Parent(p))
                if (Created.Contains(p))
                    return true;
            return false;
        }
    }

    /// <summary>A -y fd path (a host path: strace sees through its own root) to the process's view.</summary>
    static string? Inside(string hostPath, FsView view) =>
        hostPath.StartsWith('/') ? Under(view.HostRoot, hostPath) : null;

    /// <summary>The path to report: in chroot mode only chrooted processes' paths under the root.</summary>
    static string? Report(string inside, FsView view, string? chrootRoot)
    {
        var host = Join(view.HostRoot, inside);
        if (chrootRoot is null)
            return host;
        return view.Chrooted ? Under(chrootRoot, host) : null;
    }

    /// <summary>An absolute path as seen from inside root; null when it lies outside.</summary>
    static string? Under(string root, string path)
    {
        if (root == "/")
            return path;
        if (path == root)
            return "/";
        return path.StartsWith(root + "/", StringComparison.Ordinal) ? path[root.Length..] : null;
    }

    static string Join(string root, string inside) =>
        root == "/" ? inside : inside == "/" ? root : root + inside;
}
