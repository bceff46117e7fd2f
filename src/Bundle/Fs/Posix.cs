using System.Runtime.InteropServices;
using Vz.Fs;

namespace Vz.Bundle.Fs;

/// <summary>
/// The few libc calls .NET does not expose, for writing a rootfs: owners, link-safe times, hard links,
/// device nodes, mkdir without parents. (lstat is Vz.Fs.FileStat.Of.)
/// </summary>
public static class Posix
{
    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;
    const long UtimeOmit = (1L << 30) - 2;

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
