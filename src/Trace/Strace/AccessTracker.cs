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
/// Events to the set of paths a program used successfully. Resolves relative paths
/// against each process's own cwd (inherited across fork/vfork/clone, shared with
/// CLONE_FS) and against -y decoded dirfds; normalises <c>.</c> and <c>..</c> lexically,
/// since symlinks are the closure's job. Pure: no filesystem access.
/// </summary>
public static class AccessTracker
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
        var paths = new HashSet<string>(StringComparer.Ordinal);
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
            if (!call.Result.Ok)
                continue;
            if (!options.WithStat && StatCalls.Contains(call.Name))
                continue;

            var target = Target(call);
            if (target is null)
                continue;
            var (dirfd, pathArg) = target.Value;
            if (pathArg is null)
            {
                // fchdir: the -y decoded fd path is the new cwd.
                if (call.Name == "fchdir")
                    view.Cwd = dirfd?.Text is { } host ? Inside(host, view) : null;
                continue;
            }
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

            switch (call.Name)
            {
                case "chdir":
                    view.Cwd = resolved;
                    break;
                case "chroot":
                    view.HostRoot = Join(view.HostRoot, resolved);
                    view.Chrooted = true;
                    continue;
            }
            var reported = Report(resolved, view, chrootRoot);
            // "/" always exists; listing it would only invite copying a whole tree.
            if (reported is null or "/")
                continue;
            if (call.Name is "execve" or "execveat")
            {
                executable ??= reported;
                executed.Add(reported);
            }
            else
                paths.Add(reported);
        }

        return new TraceResult(
            paths.Order(StringComparer.Ordinal).ToArray(),
            executed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            warnings,
            truncated) { Executable = executable };
    }

    /// <summary>The dirfd and path arguments of a call we count; path null for fchdir.</summary>
    static (StraceArg? DirFd, StraceArg? PathArg)? Target(SyscallEvent call)
    {
        var a = call.Args;
        StraceArg? At(int i) => i < a.Count ? a[i] : null;
        StraceArg? Str(int i) => At(i) is { Kind: StraceArgKind.String } s ? s : null;
        return call.Name switch
        {
            "open" or "creat" or "execve" or "chdir" or "chroot" or "stat" or "stat64" or "lstat"
                or "lstat64" or "access" or "readlink" => Str(0) is { } p ? (null, p) : null,
            "openat" or "openat2" or "execveat" or "newfstatat" or "fstatat64" or "statx"
                or "faccessat" or "faccessat2" or "readlinkat" => Str(1) is { } p ? (At(0), p) : null,
            "fchdir" => (At(0), null),
            _ => null,
        };
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
