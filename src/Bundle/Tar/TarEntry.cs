using Vz.Bundle.Fs;

namespace Vz.Bundle.Tar;

public enum TarEntryKind { File, Directory, Symlink, HardLink, CharDevice, BlockDevice, Fifo }

/// <summary>
/// One tar entry as vz writes it: numeric owners only, one mtime, no atime/ctime.
/// Name is relative ("usr/bin/env", directories end in '/'). Content comes from
/// <see cref="SourcePath"/> or <see cref="Data"/> for files.
/// </summary>
public sealed record TarEntry(string Name, TarEntryKind Kind, int Mode, uint Uid, uint Gid, long MTime)
{
    public long Size { get; init; }
    /// <summary>Symlink target, or for a hard link the Name of the entry it links to.</summary>
    public string? LinkName { get; init; }
    public uint DevMajor { get; init; }
    public uint DevMinor { get; init; }
    public string? SourcePath { get; init; }
    public ReadOnlyMemory<byte>? Data { get; init; }

    public static TarEntry ForData(string name, ReadOnlyMemory<byte> data, long mtime, int mode = Modes.O644) =>
        new(name, TarEntryKind.File, mode, 0, 0, mtime) { Size = data.Length, Data = data };

    public static TarEntry ForDirectory(string name, long mtime, int mode = Modes.O755) =>
        new(name.EndsWith('/') ? name : name + "/", TarEntryKind.Directory, mode, 0, 0, mtime);
}
