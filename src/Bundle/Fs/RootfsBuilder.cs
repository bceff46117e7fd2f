using Vz.Fs;

namespace Vz.Bundle.Fs;

/// <summary>One object to create in the rootfs, at its path inside the root.</summary>
public sealed record PlannedEntry(string InsidePath, FileStat Stat, string? LinkTarget = null, string? HardLinkOf = null);

/// <summary>Everything to copy, sorted so every directory comes before its contents.</summary>
public sealed record RootfsPlan(string SourceRoot, IReadOnlyList<PlannedEntry> Entries, IReadOnlyList<string> Warnings);

/// <summary>What a build did.</summary>
public sealed record RootfsResult(
    string RootfsDir, int Files, int Directories, int Symlinks, int HardLinks, long Bytes, IReadOnlyList<string> Warnings);

/// <summary>
/// A mount point the runtime needs in every rootfs, created empty when the closure lacks it.
/// Modes follow what distributions ship (/tmp 1777, /proc and /sys 0555).
/// </summary>
public sealed record MountPoint(string Path, int Mode);

/// <summary>
/// Copies a list of paths from a source root into a rootfs directory, keeping type, all mode
/// bits (setuid too), numeric owners, symlinks, hard links and mtimes. Each listed path brings
/// the directories and symlinks on its way and, when it is a symlink, what it points to.
/// Safety: paths are resolved inside the source root with chroot semantics (see
/// <see cref="RootFs"/>), and the rootfs side is only ever written through directories this
/// builder created itself, never through a symlink, so nothing lands outside the rootfs.
/// </summary>
public static class RootfsBuilder
{
    public static readonly IReadOnlyList<MountPoint> DefaultMountPoints =
    [
        new("/dev", Modes.O755), new("/etc", Modes.O755), new("/proc", Modes.O555), new("/run", Modes.O755),
        new("/sys", Modes.O555), new("/tmp", Modes.O1777),
    ];

    /// <summary>Kernel filesystems the runtime mounts (config.json's mounts): their contents are never copied.</summary>
    static readonly string[] PseudoFilesystems = ["/proc", "/sys", "/dev"];

    static bool IsPseudo(string path) =>
        PseudoFilesystems.Any(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));

    /// <summary>Plans and then copies; <paramref name="outDir"/> becomes the rootfs and must be absent or empty.</summary>
    public static RootfsResult Build(IEnumerable<string> paths, string sourceRoot, string outDir,
        IReadOnlyList<MountPoint>? mountPoints = null, long mountPointMTime = 0)
    {
        var plan = Plan(paths, sourceRoot);
        return Materialize(plan, outDir, mountPoints ?? DefaultMountPoints, mountPointMTime);
    }

    /// <summary>Reads the source root and decides what to create; writes nothing.</summary>
    public static RootfsPlan Plan(IEnumerable<string> paths, string sourceRoot)
    {
        // The root itself may be reached through a symlink (--root /srv/current); what is inside it is another matter.
        var fs = RootFs.Open(sourceRoot)
            ?? throw new VzException(BundleErrors.SourceRootMissing, $"{sourceRoot}: source root is not a directory");
        var entries = new SortedDictionary<string, PlannedEntry>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var raw in paths)
        {
            var path = Checked(raw);
            if (IsPseudo(path))
            {
                warnings.Add($"{path}: the runtime mounts {path.Split('/')[1]} itself; not copied");
                continue;
            }
            var r = fs.Resolve(path);
            if (r.Error == ResolveError.Loop)
                throw new VzException(BundleErrors.SymlinkLoop, $"{path}: too many levels of symlinks under {sourceRoot}");
            // A symlink into /proc (/etc/mtab -> ../proc/self/mounts) is kept; what it leads to is not.
            var kept = r.Steps.TakeWhile(s => !IsPseudo(s.Path)).ToArray();
            foreach (var step in kept)
                entries.TryAdd(step.Path, new PlannedEntry(step.Path, step.Stat, step.LinkTarget));
            if (r.Ok || kept.Length < r.Steps.Count)
                continue;
            // A dangling symlink is kept as it is (a program may only readlink it); a path
            // that does not exist at all is an error in the list.
            if (r.Steps.Count > 0 && r.Steps[^1].Stat.Type == UnixFileType.Symlink)
                warnings.Add($"{path}: symlink target {r.Missing} is not in {sourceRoot}; kept the dangling symlink");
            else
                throw new VzException(BundleErrors.PathNotFound, $"{path}: not found under {sourceRoot} ({r.Missing} is missing)");
        }

        // Hard links: the first path (in sorted order) of an inode is copied, the others link to it.
        var firstOfInode = new Dictionary<(uint, uint, ulong), string>();
        var planned = new List<PlannedEntry>(entries.Count);
        foreach (var e in entries.Values)
        {
            if (e.Stat.Type is not UnixFileType.Directory and not UnixFileType.Symlink && e.Stat.NLink > 1)
            {
                var key = (e.Stat.DevMajor, e.Stat.DevMinor, e.Stat.Inode);
                if (firstOfInode.TryGetValue(key, out var first))
                {
                    planned.Add(e with { HardLinkOf = first });
                    continue;
                }
                firstOfInode[key] = e.InsidePath;
            }
            if (e.Stat.Type == UnixFileType.Socket)
            {
                warnings.Add($"{e.InsidePath}: sockets are made by the program that listens; not copied");
                continue;
            }
            planned.Add(e);
        }
        return new RootfsPlan(fs.Root, planned, warnings);
    }

    /// <summary>Creates the planned entries under <paramref name="outDir"/>.</summary>
    public static RootfsResult Materialize(RootfsPlan plan, string outDir, IReadOnlyList<MountPoint> mountPoints, long mountPointMTime)
    {
        var rootfs = Path.GetFullPath(outDir);
        PrepareEmptyDir(rootfs);
        var guard = new ParentGuard(rootfs);
        int files = 0, dirs = 0, links = 0, hardLinks = 0;
        long bytes = 0;
        var dirTimes = new List<(string Path, long Seconds, long Nanos)>();
        foreach (var e in plan.Entries)
        {
            var dest = OnHost(rootfs, e.InsidePath);
            guard.Require(dest);
            var st = e.Stat;
            try
            {
                if (e.HardLinkOf is not null)
                {
                    Posix.HardLink(OnHost(rootfs, e.HardLinkOf), dest);
                    hardLinks++;
                    continue;
                }
                switch (st.Type)
                {
                    case UnixFileType.Directory:
                        Posix.MkDir(dest, Modes.O700);
                        dirTimes.Add((dest, st.MTimeSeconds, st.MTimeNanos));
                        dirs++;
                        break;
                    case UnixFileType.Symlink:
                        File.CreateSymbolicLink(dest, e.LinkTarget!);
                        links++;
                        break;
                    case UnixFileType.Regular:
                        // CreateNew is O_CREAT|O_EXCL: it fails on anything already there, a symlink included.
                        using (var src = new FileStream(OnHost(plan.SourceRoot, e.InsidePath), FileMode.Open, FileAccess.Read))
                        using (var dst = new FileStream(dest, FileMode.CreateNew, FileAccess.Write))
                            src.CopyTo(dst);
                        files++;
                        bytes += st.Size;
                        break;
                    default:
                        Posix.MkNod(dest, st.Type, Modes.O600, st.RDevMajor, st.RDevMinor);
                        files++;
                        break;
                }
                Posix.LChown(dest, st.Uid, st.Gid);
                if (st.Type != UnixFileType.Symlink)
                    Posix.Chmod(dest, st.Permissions); // after chown, which clears setuid/setgid
                if (st.Type != UnixFileType.Directory)
                    Posix.SetMTime(dest, st.MTimeSeconds, st.MTimeNanos);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new VzException(BundleErrors.CopyFailed, $"copy {e.InsidePath} into {rootfs}: {ex.Message}");
            }
        }

        foreach (var mp in mountPoints)
            foreach (var created in CreateDirectories(rootfs, guard, mp))
            {
                dirTimes.Add((created, mountPointMTime, 0));
                dirs++;
            }

        // Directory mtimes last and deepest first: creating an entry changes its parent's mtime.
        foreach (var (path, seconds, nanos) in dirTimes.OrderByDescending(d => d.Path, StringComparer.Ordinal))
            Posix.SetMTime(path, seconds, nanos);
        Posix.Chmod(rootfs, Modes.O755);
        return new RootfsResult(rootfs, files, dirs, links, hardLinks, bytes, plan.Warnings);
    }

    /// <summary>
    /// Creates a mount point and any missing parents, root-owned; the last part gets the mount
    /// point's mode, parents 0755. Existing parts are kept as they are, and a symlink on the way is
    /// followed inside the rootfs (chroot semantics), never on the host.
    /// </summary>
    static List<string> CreateDirectories(string rootfs, ParentGuard guard, MountPoint mp)
    {
        var path = Checked(mp.Path);
        var fs = new RootFs(rootfs);
        var created = new List<string>();
        while (fs.Resolve(path) is { Ok: false } r)
        {
            var missing = r.Missing ?? r.Path;
            var dest = OnHost(rootfs, missing);
            guard.Require(dest);
            if (r.Error != ResolveError.Missing || FileStat.Of(dest) is not null)
                throw new VzException(BundleErrors.MountPointBlocked, $"cannot make directory {path} in the rootfs: {missing} is in the way and is not a directory");
            Posix.MkDir(dest, Modes.O700);
            Posix.LChown(dest, 0, 0);
            var isLast = fs.Resolve(path).Ok;
            Posix.Chmod(dest, isLast ? mp.Mode : Modes.O755);
            created.Add(dest);
        }
        return created;
    }

    /// <summary>A listed path, checked (absolute, no "." or ".." parts) and with repeated slashes collapsed.</summary>
    static string Checked(string path) => RootFs.Problem(path) is { } why
        ? throw new VzException(BundleErrors.BadPath, $"{why}, refusing it: {path.Replace("\0", "\\0")}", "list paths as they are inside the root, without '..'")
        : RootFs.Normalize(path);

    /// <summary>The host path of a canonical path inside a root.</summary>
    static string OnHost(string root, string insidePath) =>
        insidePath == "/" ? root : root.TrimEnd('/') + insidePath;

    static void PrepareEmptyDir(string dir)
    {
        var st = FileStat.Of(dir);
        if (st is null)
        {
            Directory.CreateDirectory(dir);
            return;
        }
        if (st.Type != UnixFileType.Directory)
            throw new VzException(BundleErrors.OutputExists, $"{dir}: exists and is not a directory");
        if (Directory.EnumerateFileSystemEntries(dir).Any())
            throw new VzException(BundleErrors.OutputExists, $"{dir}: exists and is not empty", "remove it or choose another output directory");
    }

    /// <summary>
    /// Every directory between the rootfs and a destination must be a real directory, never a
    /// symlink (which the kernel would follow, maybe out of the rootfs). The plan is sorted, so
    /// parents were created by us before their children; checking each part makes that a
    /// guarantee rather than an assumption. Checked directories are remembered.
    /// </summary>
    sealed class ParentGuard(string rootfs)
    {
        readonly HashSet<string> verified = new(StringComparer.Ordinal) { rootfs };

        public void Require(string dest)
        {
            if (!dest.StartsWith(rootfs + "/", StringComparison.Ordinal))
                throw new VzException(BundleErrors.WriteThroughSymlink, $"{dest}: would be written outside {rootfs}");
            var parent = Path.GetDirectoryName(dest)!;
            if (verified.Contains(parent))
                return;
            Require(parent);
            if (FileStat.Of(parent) is not { Type: UnixFileType.Directory })
                throw new VzException(BundleErrors.WriteThroughSymlink, $"{dest}: {parent} is not a directory vz created (a symlink?); refusing to write through it");
            verified.Add(parent);
        }
    }
}
