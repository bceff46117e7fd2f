namespace Vz.Oci.Tar;

public enum TarEntryKind { File, Directory, Symlink, HardLink, CharDevice, BlockDevice, Fifo }

/// <summary>
/// One tar entry as vz writes it: numeric owners only, one mtime, no atime/ctime.
/// Name is relative ("usr/bin/env", directories end in '/'). Content comes from
/// <see cref="SourcePath"/> or <see cref="Data"/> for files.
/// </summary>
public sealed record TarEntry(string Name, TarEntryKind Kind, int Mode, uint Uid, uint Gid, long MTime)
{
    /// <summary>0644 and 0755 (C# has no octal literals): the modes of the files and directories vz writes itself.</summary>
    public const int FileMode = 0x1A4, DirectoryMode = 0x1ED;

    public long Size { get; init; }
    /// <summary>Symlink target, or for a hard link the Name of the entry it links to.</summary>
    public string? LinkName { get; init; }
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    public string? SourcePath { get; init; }
    public ReadOnlyMemory<byte>? Data { get; init; }

    public static TarEntry ForData(string name, ReadOnlyMemory<byte> data, long mtime, int mode = FileMode) =>
        new(name, TarEntryKind.File, mode, 0, 0, mtime) { Size = data.Length, Data = data };

    public static TarEntry ForDirectory(string name, long mtime, int mode = DirectoryMode) =>
        new(name.EndsWith('/') ? name : name + "/", TarEntryKind.Directory, mode, 0, 0, mtime);
}
