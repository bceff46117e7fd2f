using System.Formats.Tar;
using Vz.Bundle.Fs;
using Vz.Fs;

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
    readonly RootFs fs = new(root);

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
            var parts = ArchivePath.Components(entry.Name, $"{layerName}: {entry.Name}");
            if (parts.Count == 0)
                continue; // "./" itself
            var rel = string.Join('/', parts);
            try
            {
                if (ApplyEntry(entry, layerName, parts, rel, written, deferredDirModes, skippedDevices))
                    written.Add(rel);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VzException(MinifyErrors.CannotApplyEntry, $"{layerName}: cannot apply {entry.Name}: {e.Message}");
            }
            catch (VzException e) when (e.Error == MinifyErrors.LayerSymlinkLoop)
            {
                throw e.Context($"{layerName}: {entry.Name}");
            }
        }
        deferredDirModes.Reverse();
        foreach (var (path, dirEntry) in deferredDirModes)
            SetMeta(path, dirEntry);
    }

    /// <summary>Applies one entry; false for whiteouts, which write nothing an opaque whiteout must spare.</summary>
    bool ApplyEntry(TarEntry entry, string layerName, IReadOnlyList<string> parts, string rel, HashSet<string> written,
        List<(string Path, TarEntry Entry)> deferredDirModes, List<string> skippedDevices)
    {
        var name = parts[^1];
        var parentInside = Inside(parts.SkipLast(1));
        if (name == OpaqueWhiteout)
        {
            if (ResolveDir(parentInside) is { } dir)
                foreach (var child in Directory.EnumerateFileSystemEntries(fs.HostPath(dir)))
                {
                    var childRel = (parentInside == "/" ? "" : parentInside[1..] + "/") + Path.GetFileName(child);
                    if (!written.Contains(childRel))
                        Remove(child);
                }
            return false;
        }
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = name[WhiteoutPrefix.Length..];
            // ".wh.." would name the directory itself and ".wh..." its parent, maybe the root's.
            if (hidden is "" or "." or "..")
                throw new VzException(MinifyErrors.PathEscapes, $"{layerName}: {entry.Name}: whiteout names no entry");
            if (InExistingParent([.. parts.SkipLast(1), hidden]) is { } target)
                Remove(target);
            return false;
        }

        var hostPath = Path.Combine(CreateParents(parentInside), name);
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
                var linkParts = ArchivePath.Components(entry.LinkName, $"{layerName}: hard link {entry.Name}");
                var existing = linkParts.Count == 0 ? null : InExistingParent(linkParts);
                if (existing is null || !File.Exists(existing) && new FileInfo(existing).LinkTarget is null)
                    throw new VzException(MinifyErrors.HardLinkOutside, $"{layerName}: hard link {entry.Name} points to {entry.LinkName}, which is not in the image");
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
        return true;
    }

    static TarEntry? Next(TarReader reader, string layerName)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new VzException(MinifyErrors.NotATarLayer, $"{layerName}: not a valid tar layer: {e.Message}");
        }
    }

    static string Inside(IEnumerable<string> parts) => "/" + string.Join('/', parts);

    /// <summary>
    /// The host path of <paramref name="parts"/>: its parent resolved inside the root with chroot
    /// semantics, its last part as named (not followed); null when the parent does not exist.
    /// </summary>
    string? InExistingParent(IReadOnlyList<string> parts) =>
        ResolveDir(Inside(parts.SkipLast(1))) is { } dir ? Path.Combine(fs.HostPath(dir), parts[^1]) : null;

    /// <summary>The canonical path a path inside the root resolves to; null when missing; a loop throws.</summary>
    string? ResolveDir(string inside)
    {
        var r = fs.Resolve(inside);
        return r.Error == ResolveError.Loop ? throw Loop(inside) : r.Ok ? r.Path : null;
    }

    static VzException Loop(string inside) => new(MinifyErrors.LayerSymlinkLoop, $"too many levels of symlinks at {inside}");

    /// <summary>
    /// The host path of a directory inside the root, symlinks followed with chroot semantics
    /// (<see cref="RootFs"/>), creating what is missing one part at a time. A non-directory in
    /// the way makes CreateDirectory throw, which the caller reports per entry.
    /// </summary>
    string CreateParents(string insideDir)
    {
        while (true)
        {
            var r = fs.Resolve(insideDir);
            if (r.Error == ResolveError.Loop)
                throw Loop(insideDir);
            if (r.Ok)
                return fs.HostPath(r.Path);
            Directory.CreateDirectory(fs.HostPath(r.Missing ?? r.Path));
        }
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
