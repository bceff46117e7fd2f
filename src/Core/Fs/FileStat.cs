using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Vz.Fs;

public enum UnixFileType { Regular, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket }

/// <summary>What lstat(2) tells about one path, without following a final symlink.</summary>
public sealed record FileStat(
    UnixFileType Type, int Mode, uint Uid, uint Gid, long Size, long MTimeSeconds, long MTimeNanos,
    uint NLink, ulong Inode, uint DevMajor, uint DevMinor, uint RDevMajor, uint RDevMinor)
{
    /// <summary>Permission bits including setuid, setgid and sticky (07777).</summary>
    public int Permissions => Mode & 0xFFF;

    /// <summary>A regular file with any execute bit, as execve(2) wants.</summary>
    public bool IsExecutableFile => Type == UnixFileType.Regular && (Mode & 0x49) != 0;

    /// <summary>What a file of this type is called in a message: "a directory", "a device".</summary>
    public static string Describe(UnixFileType type) => type switch
    {
        UnixFileType.Regular => "a regular file",
        UnixFileType.Directory => "a directory",
        UnixFileType.Symlink => "a symlink",
        UnixFileType.CharDevice => "a character device",
        UnixFileType.BlockDevice => "a block device",
        UnixFileType.Fifo => "a FIFO",
        _ => "a socket",
    };

    const int AtFdCwd = -100;
    const int AtSymlinkNoFollow = 0x100;
    const uint StatxBasicStats = 0x7ff;
    const int ENOENT = 2, ENOTDIR = 20;

    [DllImport("libc", SetLastError = true)]
    static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buf);

    /// <summary>
    /// lstat of a host path; null when it does not exist. statx(2) is used because its struct is
    /// the same on every architecture, unlike struct stat. Other failures (EACCES) are IOExceptions.
    /// </summary>
    public static FileStat? Of(string hostPath)
    {
        var buf = new byte[256];
        if (statx(AtFdCwd, hostPath, AtSymlinkNoFollow, StatxBasicStats, buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
                return null;
            throw new IOException($"lstat {hostPath}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
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
}
