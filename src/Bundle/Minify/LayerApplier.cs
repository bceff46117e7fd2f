using Vz.Bundle.Fs;
using System.Formats.Tar;

namespace Vz.Bundle.Minify;

/// <summary>
/// Applies one image layer (a tar stream) onto a rootfs directory, as the OCI
/// image-spec's layer changeset rules say (image-spec layer.md): whiteouts
/// <c>.wh.NAME</c> delete, <c>.wh..wh..opq</c> empties a directory of lower
/// layers' entries. It refuses names with "..", never writes through a symlink
/// out of the root, keeps hard links inside the root, and skips device nodes and
/// FIFOs (with a warning): a minified image has no business carrying them.
/// </summary>
public sealed class LayerApplier(string root, IReporter reporter)
{
    const string WhiteoutPrefix = ".wh.";
    const string OpaqueWhiteout = ".wh..wh..opq";

    public int SkippedDevices { get; private set; }

    public void Apply(Stream layer, string layerName)
    {
        var skipped = new List<string>();
        ApplyEntries(layer, layerName, skipped);
        SkippedDevices += skipped.Count;
        // One line, not one per node: every Debian rootfs carries /dev/null and friends.
        if (skipped.Count > 0)
            reporter.Warn($"{layerName}: skipped {skipped.Count} device node(s)/FIFO(s) ({string.Join(", ", skipped.Take(3))}{(skipped.Count > 3 ? ", ..." : "")}); the runtime provides /dev");
    }

    void ApplyEntries(Stream layer, string layerName, List<string> skippedDevices)
    {
        // Paths this layer wrote: an opaque whiteout hides only lower layers' entries.
        var written = new HashSet<string>(StringComparer.Ordinal);
        var deferredDirModes = new List<(string Path, TarEntry Entry)>();
        using var reader = new TarReader(layer, leaveOpen: true);
        TarEntry? entry;
        while ((entry = Next(reader, layerName)) is not null)
        {
            var parts = SecureJoin.Components(entry.Name, $"{layerName}: {entry.Name}");
            if (parts.Count == 0)
                continue; // "./" itself
            var rel = string.Join('/', parts);
            var name = parts[^1];
            var parentParts = parts.Take(parts.Count - 1).ToList();

            if (name == OpaqueWhiteout)
            {
                var dir = SecureJoin.Resolve(root, parentParts);
                var prefix = string.Join('/', parentParts);
                if (Directory.Exists(dir))
                    foreach (var child in Directory.EnumerateFileSystemEntries(dir))
                    {
                        var childRel = (prefix.Length > 0 ? prefix + "/" : "") + Path.GetFileName(child);
                        if (!written.Contains(childRel))
                            Remove(child);
                    }
                continue;
            }
            if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                var target = SecureJoin.ParentResolved(root, [.. parentParts, name[WhiteoutPrefix.Length..]]);
                Remove(target);
                continue;
            }

            try
            {
                ApplyEntry(entry, layerName, parts, rel, deferredDirModes, skippedDevices);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VzException("VZ2305", $"{layerName}: cannot apply {entry.Name}: {e.Message}");
            }
            written.Add(rel);
        }
        deferredDirModes.Reverse();
        foreach (var (path, dirEntry) in deferredDirModes)
            SetMeta(path, dirEntry);
    }

    void ApplyEntry(TarEntry entry, string layerName, IReadOnlyList<string> parts, string rel,
        List<(string Path, TarEntry Entry)> deferredDirModes, List<string> skippedDevices)
    {
        var hostPath = SecureJoin.ParentResolved(root, parts);
        EnsureParent(hostPath);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (!IsRealDirectory(hostPath))
                {
                    Remove(hostPath);
                    Directory.CreateDirectory(hostPath);
                }
                // Modes of directories go on last, so a read-only dir still receives its children.
                deferredDirModes.Add((hostPath, entry));
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                Remove(hostPath);
                using (var fs = new FileStream(hostPath, FileMode.CreateNew, FileAccess.Write))
                    entry.DataStream?.CopyTo(fs);
                SetMeta(hostPath, entry);
                break;
            case TarEntryType.SymbolicLink:
                Remove(hostPath);
                File.CreateSymbolicLink(hostPath, entry.LinkName);
                Posix.LChown(hostPath, (uint)entry.Uid, (uint)entry.Gid);
                break;
            case TarEntryType.HardLink:
                var linkParts = SecureJoin.Components(entry.LinkName, $"{layerName}: hard link {entry.Name}");
                var existing = SecureJoin.ParentResolved(root, linkParts);
                if (!File.Exists(existing) && new FileInfo(existing).LinkTarget is null)
                    throw new VzException("VZ2303", $"{layerName}: hard link {entry.Name} points to {entry.LinkName}, which is not in the image");
                Remove(hostPath);
                Posix.HardLink(existing, hostPath);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                skippedDevices.Add("/" + rel);
                break;
            default:
                reporter.Warn($"{layerName}: skipped unsupported entry type {entry.EntryType} /{rel}");
                break;
        }
    }

    static TarEntry? Next(TarReader reader, string layerName)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new VzException("VZ2304", $"{layerName}: not a valid tar layer: {e.Message}");
        }
    }

    void EnsureParent(string hostPath)
    {
        var parent = Path.GetDirectoryName(hostPath)!;
        if (!parent.StartsWith(root, StringComparison.Ordinal))
            throw new VzException("VZ2301", $"refusing to write outside the root: {hostPath}");
        Directory.CreateDirectory(parent);
    }

    static bool IsRealDirectory(string path) =>
        Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null;

    static void Remove(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || File.Exists(path))
        {
            info.Delete();
            return;
        }
        if (Directory.Exists(path))
        {
            MakeWritable(path);
            Directory.Delete(path, recursive: true);
        }
    }

    static void MakeWritable(string dir)
    {
        // Root can delete regardless of modes, but a non-root test run could not; be kind to both.
        foreach (var d in Directory.EnumerateDirectories(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Prepend(dir))
            File.SetUnixFileMode(d, File.GetUnixFileMode(d) | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.UserRead);
    }

    static void SetMeta(string path, TarEntry entry)
    {
        Posix.LChown(path, (uint)entry.Uid, (uint)entry.Gid);
        // chown clears setuid/setgid, so the mode goes on after the owner.
        File.SetUnixFileMode(path, (UnixFileMode)((int)entry.Mode & 0xFFF));
        File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
    }
}
