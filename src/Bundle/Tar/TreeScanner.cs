using Vz.Bundle.Fs;
using Vz.Oci.Tar;
using Vz.Fs;

namespace Vz.Bundle.Tar;

/// <summary>Lists a directory tree as tar entries, sorted by name, without following symlinks.</summary>
public static class TreeScanner
{
    /// <summary>
    /// Entries for everything under <paramref name="dir"/>, named <paramref name="prefix"/> + relative path
    /// (the directory itself is included as <paramref name="prefix"/> when the prefix is not empty).
    /// The first name of a hard-linked inode is the file; later names are hard links to it.
    /// </summary>
    public static IReadOnlyList<TarEntry> Scan(string dir, string prefix = "")
    {
        var root = Path.GetFullPath(dir);
        var rootStat = FileStat.Of(root);
        if (rootStat is not { Type: UnixFileType.Directory })
            throw new VzException(BundleErrors.CannotReadTree, $"{dir}: not a directory");
        var found = new List<(string Name, string Host, FileStat Stat)>();
        if (prefix.Length > 0)
            found.Add((prefix.TrimEnd('/') + "/", root, rootStat));
        try
        {
            Walk(root, prefix, found);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(BundleErrors.CannotReadTree, $"read {dir}: {e.Message}");
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var firstOfInode = new Dictionary<(uint, uint, ulong), string>();
        var entries = new List<TarEntry>(found.Count);
        foreach (var (name, host, st) in found)
        {
            var e = new TarEntry(name, KindOf(st.Type), st.Permissions, st.Uid, st.Gid, st.MTimeSeconds);
            if (st.Type is not UnixFileType.Directory and not UnixFileType.Symlink && st.NLink > 1)
            {
                var key = (st.DevMajor, st.DevMinor, st.Inode);
                if (firstOfInode.TryGetValue(key, out var first))
                {
                    entries.Add(e with { Kind = TarEntryKind.HardLink, LinkName = first });
                    continue;
                }
                firstOfInode[key] = name;
            }
            entries.Add(st.Type switch
            {
                UnixFileType.Regular => e with { Size = st.Size, SourcePath = host },
                UnixFileType.Symlink => e with { LinkName = new FileInfo(host).LinkTarget },
                UnixFileType.CharDevice or UnixFileType.BlockDevice => e with { DevMajor = st.RDevMajor, DevMinor = st.RDevMinor },
                _ => e,
            });
        }
        return entries;
    }

    static void Walk(string hostDir, string prefix, List<(string, string, FileStat)> into)
    {
        foreach (var host in Directory.EnumerateFileSystemEntries(hostDir))
        {
            var st = FileStat.Of(host);
            if (st is null || st.Type == UnixFileType.Socket)
                continue;
            var name = prefix + Path.GetFileName(host);
            if (st.Type == UnixFileType.Directory)
            {
                into.Add((name + "/", host, st));
                Walk(host, name + "/", into);
            }
            else
                into.Add((name, host, st));
        }
    }

    static TarEntryKind KindOf(UnixFileType t) => t switch
    {
        UnixFileType.Regular => TarEntryKind.File,
        UnixFileType.Directory => TarEntryKind.Directory,
        UnixFileType.Symlink => TarEntryKind.Symlink,
        UnixFileType.CharDevice => TarEntryKind.CharDevice,
        UnixFileType.BlockDevice => TarEntryKind.BlockDevice,
        _ => TarEntryKind.Fifo,
    };
}
