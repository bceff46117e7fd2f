using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Vz.Bundle.Fs;

/// <summary>What lstat(2) tells about one path, without following a final symlink.</summary>
public sealed record FileStat(
    UnixFileType Type, int Mode, uint Uid, uint Gid, long Size, long MTimeSeconds, long MTimeNanos,
    uint NLink, ulong Inode, uint DevMajor, uint DevMinor, uint RDevMajor, uint RDevMinor)
{
    /// <summary>Permission bits including setuid, setgid and sticky (07777).</summary>
    public int Permissions => Mode & 0xFFF;
}

public enum UnixFileType { Regular, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket }

/// <summary>
/// The few libc calls .NET does not expose: owners, link-safe stat and times, hard links, device nodes.
/// statx(2) is used because its struct is the same on every architecture, unlike struct stat.
/// </summary>
internal static class Posix
{
    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;
    const uint StatxBasicStats = 0x7ff;
    const long UtimeOmit = (1L << 30) - 2;
    public const int ENOENT = 2;

    [DllImport("libc", SetLastError = true)]
    static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buf);

    [DllImport("libc", SetLastError = true)]
    static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    static extern int chmod([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    static extern int utimensat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, long[] times, int flags);

    [DllImport("libc", SetLastError = true)]
    static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", SetLastError = true)]
    static extern int mknod([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, ulong dev);

    [DllImport("libc", SetLastError = true)]
    static extern int mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    /// <summary>lstat; null when the path does not exist.</summary>
    public static FileStat? LStat(string path)
    {
        var buf = new byte[256];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or 20 /* ENOTDIR */)
                return null;
            throw Fail("lstat", path, errno);
        }
        var s = buf.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(s[28..]);
        return new FileStat(
            TypeOf(mode), mode,
            Uid: BinaryPrimitives.ReadUInt32LittleEndian(s[20..]),
            Gid: BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
            Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
            MTimeSeconds: BinaryPrimitives.ReadInt64LittleEndian(s[112..]),
            MTimeNanos: BinaryPrimitives.ReadUInt32LittleEndian(s[120..]),
            NLink: BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
            DevMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[136..]),
            DevMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[140..]),
            RDevMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[128..]),
            RDevMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[132..]));
    }

    static UnixFileType TypeOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => UnixFileType.Regular,
        0x4000 => UnixFileType.Directory,
        0xA000 => UnixFileType.Symlink,
        0x2000 => UnixFileType.CharDevice,
        0x6000 => UnixFileType.BlockDevice,
        0x1000 => UnixFileType.Fifo,
        _ => UnixFileType.Socket,
    };

    public static void LChown(string path, uint uid, uint gid) =>
        Check(lchown(path, uid, gid), "lchown", path);

    /// <summary>Sets all 12 permission bits; call after LChown, which clears setuid/setgid.</summary>
    public static void Chmod(string path, int mode) =>
        Check(chmod(path, (uint)(mode & 0xFFF)), "chmod", path);

    /// <summary>Sets mtime of the path itself (a symlink is not followed); atime is left alone.</summary>
    public static void SetMTime(string path, long seconds, long nanos) =>
        Check(utimensat(AtFdCwd, path, [0, UtimeOmit, seconds, nanos], AtSymlinkNoFollow), "utimensat", path);

    public static void HardLink(string existing, string newPath) =>
        Check(link(existing, newPath), "link", newPath);

    public static void MkNod(string path, UnixFileType type, int mode, uint major, uint minor)
    {
        var fmt = type switch
        {
            UnixFileType.CharDevice => 0x2000u,
            UnixFileType.BlockDevice => 0x6000u,
            UnixFileType.Fifo => 0x1000u,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        Check(mknod(path, fmt | (uint)(mode & 0xFFF), MakeDev(major, minor)), "mknod", path);
    }

    /// <summary>mkdir(2): unlike Directory.CreateDirectory it never creates parents and fails if anything exists.</summary>
    public static void MkDir(string path, int mode) =>
        Check(mkdir(path, (uint)(mode & 0xFFF)), "mkdir", path);

    // glibc's gnu_dev_makedev.
    static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    static void Check(int rc, string call, string path)
    {
        if (rc != 0)
            throw Fail(call, path, Marshal.GetLastPInvokeError());
    }

    static IOException Fail(string call, string path, int errno) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
}
