using System.Text;
using Vz.Fs;

namespace Vz.Trace.Strace;

/// <summary>What to trace and how.</summary>
public sealed record TraceOptions
{
    /// <summary>The program and its arguments, run without a shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>
    /// A rootfs directory: run CMD chrooted into it, in its own namespaces (<see cref="Isolation"/>),
    /// and report paths inside it (minify).
    /// </summary>
    public string? Root { get; init; }
    /// <summary>Root mode: keep the host's network instead of a new namespace with only loopback.</summary>
    public bool HostNetwork { get; init; }
    /// <summary>Also count stat/access/readlink calls (files probed but never opened).</summary>
    public bool WithStat { get; init; }
    /// <summary>Keep the raw strace log here; otherwise it goes to a temp file that is deleted.</summary>
    public string? KeepLog { get; init; }
    /// <summary>Directory to run in; the current directory when null.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>KEY=VALUE set for the program (minify passes the source image's Env); ours otherwise.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
}

/// <summary>The traced program's exit code, what it used, and the cwd it started in (inside Root).</summary>
public sealed record TraceRun(int ExitCode, TraceResult Result, string WorkingDirectory);

/// <summary>
/// Runs a command under strace and reads back what it used. The program's stdin,
/// stdout, stderr and exit code pass through; strace writes its log to a file.
/// Error codes: VZ1010 strace (or, for a root, unshare, mount, chroot) missing, VZ1011 command not found,
/// VZ1012 a file vz must write is not writable, VZ1013 strace wrote no log,
/// VZ1014 root is not a directory, VZ1015 the root's namespaces could not be set up.
/// </summary>
public static class Tracer
{
    /// <summary>
    /// Syscalls always traced: opens and execs, cwd and root changes, process creation, and the
    /// calls that make entries (mkdir, mknod, symlink, link, rename, bind): their directories are
    /// kept. '?' keeps strace quiet where an arch lacks one (aarch64 has no open or mkdir).
    /// </summary>
    public const string FileSyscalls = "?open,?openat,?openat2,?creat,execve,?execveat,chdir,fchdir,?clone,?clone3,?fork,?vfork,chroot,"
        + "?mkdir,?mkdirat,?mknod,?mknodat,?symlink,?symlinkat,?link,?linkat,?rename,?renameat,?renameat2,?bind";
    /// <summary>
    /// Always traced too, but without --with-stat they count only when they found a directory
    /// (a program that checks a directory is there relies on it, e.g. Python's namespace
    /// packages from a <c>-nspkg.pth</c> line): the directory is kept, not its contents.
    /// </summary>
    public const string StructStatSyscalls = "?stat,?stat64,?lstat,?lstat64,?newfstatat,?fstatat64,?statx";
    /// <summary>Added by --with-stat.</summary>
    public const string StatSyscalls = StructStatSyscalls + ",?access,?faccessat,?faccessat2,?readlink,?readlinkat";

    /// <summary>The syscall names in a strace -e trace= list, without the '?' markers.</summary>
    internal static IEnumerable<string> Names(string syscalls) => syscalls.Split(',').Select(s => s.TrimStart('?'));

    /// <summary>
    /// strace's arguments. -f follows children, -qq drops attach and exit chatter, -y decodes
    /// fds to paths (strace 6 also shows each AT_FDCWD's cwd), -s 65535 keeps argv whole.
    /// </summary>
    /// <param name="tools">Root mode's host programs (<see cref="HostTools.Find"/>); bare names when null.</param>
    public static IReadOnlyList<string> StraceArgs(TraceOptions options, string logPath, HostTools? tools = null)
    {
        var args = new List<string>
        {
            "-f", "-qq", "-s", "65535", "-y",
            "-e", "trace=" + FileSyscalls + "," + (options.WithStat ? StatSyscalls : StructStatSyscalls),
            "-o", logPath,
        };
        if (options.Root is null)
            return [.. args, "--", .. options.Command];
        // clone in the new pid namespace returns the child's pid there; the tracker needs strace's.
        return [.. args, "--pidns-translation", "--", .. Isolation.Wrap(options.Root, options.Command, tools ?? HostTools.Names, options.HostNetwork)];
    }

    public static async Task<TraceRun> RunAsync(TraceOptions options, IReporter reporter, CancellationToken ct = default)
    {
        if (options.Command.Count == 0 || options.Command[0].Length == 0)
            throw new VzException(TraceErrors.CommandNotFound, "no command to trace", "put the command after --: vzbuild trace -- CMD ARGS");
        var cwd = Path.GetFullPath(options.WorkingDirectory ?? Directory.GetCurrentDirectory());
        var environment = EnvironmentOf(options.Environment);
        var strace = ProcessRunner.Which("strace")
            ?? throw new VzException(TraceErrors.ToolMissing, "strace is not installed", "apt-get install strace (Debian/Ubuntu) or dnf install strace (Rocky/Alma/RHEL)");

        // execvp (chroot's, in root mode) searches the PATH the program is given, else ours.
        var searchPath = RootFs.SearchPath(environment.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH"));
        string? root = null;
        HostTools? tools = null;
        if (options.Root is not null)
        {
            if (!Directory.Exists(options.Root))
                throw new VzException(TraceErrors.TraceRootNotDirectory, $"{options.Root}: root is not a directory");
            // -y shows kernel-resolved paths, so the root must be spelled the same way.
            root = new RootFs("/").Resolve(Path.GetFullPath(options.Root, cwd)).Path;
            tools = HostTools.Find(options.HostNetwork);
            if (!options.HostNetwork && tools.Ip is null)
                reporter.Warn("ip (iproute2) is not installed: the traced program's network namespace has loopback down");
            RequireProgram(new RootFs(root), options.Command[0], searchPath, "/", $" in {root}");
        }
        else
        {
            RequireProgram(new RootFs("/"), options.Command[0], searchPath, cwd, "");
        }

        var log = options.KeepLog is null
            ? Path.Combine(Path.GetTempPath(), $"vz-trace-{Guid.NewGuid():N}.log")
            : Path.GetFullPath(options.KeepLog, cwd);
        EnsureWritable(log, "strace log");
        var effective = options with { Root = root };
        try
        {
            var run = await ProcessRunner.RunAsync(
                new ProcessSpec(strace, StraceArgs(effective, log, tools))
                {
                    PassThrough = true,
                    WorkingDirectory = cwd,
                    Environment = environment,
                }, ct);
            if (!File.Exists(log) || new FileInfo(log).Length == 0)
                throw new VzException(TraceErrors.NoLog, $"strace wrote no log (exit {run.ExitCode}); its message is above",
                    "strace needs ptrace: in a container, allow it (e.g. --cap-add SYS_PTRACE)");

            TraceResult result;
            try
            {
                using var reader = new StreamReader(log, Encoding.Latin1);
                result = AccessTracker.Track(StraceParser.Parse(reader), new TrackerOptions
                {
                    InitialCwd = cwd,
                    WithStat = options.WithStat,
                    ChrootRoot = root,
                });
            }
            catch (StraceParseException e)
            {
                var kept = options.KeepLog is null ? log + ".bad" : log;
                if (kept != log)
                    File.Move(log, kept, overwrite: true);
                throw new VzException(e.Error, $"{kept}: {e.Message}", "the log was kept; please report it with the strace version (strace -V)", e);
            }
            const int MaxWarnings = 20;
            foreach (var w in result.Warnings.Take(MaxWarnings))
                reporter.Warn(w);
            if (result.Warnings.Count > MaxWarnings)
                reporter.Warn($"{result.Warnings.Count - MaxWarnings} more warnings like these; --keep-log FILE keeps the strace log");
            if (root is not null && run.ExitCode == Isolation.SetupFailed && result.Executed.Count == 0)
                throw new VzException(TraceErrors.IsolationFailed, $"{root}: setting up the program's namespaces failed; the message is above",
                    "vz runs unshare, mount and chroot as root; in a container this needs CAP_SYS_ADMIN");
            if (result.Truncated)
                reporter.Warn("some paths were cut short by strace -s and left out; the spec may miss files");
            return new TraceRun(run.ExitCode, result, root is null ? cwd : "/");
        }
        finally
        {
            if (options.KeepLog is null)
                File.Delete(log);
        }
    }

    /// <summary>
    /// The command must be an executable file as execvp(3) finds it: otherwise strace would start,
    /// print its own "exec: Permission denied" and leave an empty spec.
    /// </summary>
    static void RequireProgram(RootFs fs, string name, IReadOnlyList<string> searchPath, string cwd, string where)
    {
        var found = fs.Which(name, searchPath, cwd);
        if (found.Path is not null)
            return;
        if (found.NotExecutable is { } other)
            throw new VzException(TraceErrors.CommandNotFound, $"{name}: {other}{where} is not an executable file",
                "is it a program (chmod +x for a script)?");
        throw new VzException(TraceErrors.CommandNotFound, $"{name}: command not found{where}", "is it installed and on PATH?");
    }

    /// <summary>KEY=VALUE lines as a map; a later duplicate key wins, as in execve's envp.</summary>
    static Dictionary<string, string?> EnvironmentOf(IReadOnlyList<string> entries)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var kv in entries)
        {
            var eq = kv.IndexOf('=');
            if (eq > 0)
                env[kv[..eq]] = kv[(eq + 1)..];
        }
        return env;
    }

    /// <summary>Creates (or truncates) the file now, so a long trace does not fail at the end.</summary>
    public static void EnsureWritable(string path, string what)
    {
        try
        {
            using (File.Create(path)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(TraceErrors.NotWritable, $"{path}: cannot write {what}: {e.Message}", "choose a writable path");
        }
    }
}
