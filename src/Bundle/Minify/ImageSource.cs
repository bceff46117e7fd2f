using System.Formats.Tar;
using System.IO.Compression;
using Vz.Oci;

namespace Vz.Bundle.Minify;

/// <summary>What an unpacked source image says about how to run it (from its image config).</summary>
public sealed record SourceImageConfig(
    IReadOnlyList<string> Env,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Cmd,
    string? WorkingDir,
    string? User);

/// <summary>
/// A rootfs ready to trace in and how big it is (bytes of its regular files, the same
/// measure for every kind of source). <paramref name="IsUserDirectory"/>: the caller's own
/// directory, which minify must not change (it traces in an overlay of it).
/// </summary>
public sealed record UnpackedSource(string RootfsDir, long SizeBytes, SourceImageConfig Config, bool IsUserDirectory = false);

/// <summary>
/// Turns a minify source (a docker-archive or oci-archive as `podman save` writes,
/// an image in local podman storage, or a rootfs directory) into a rootfs directory.
/// Archives have their outer tar extracted safely here, are read by <see cref="ImageLayout"/>
/// (the one reader of image archives), and are unpacked layer by layer with <see cref="LayerApplier"/>.
/// </summary>
public static class ImageSource
{
    static readonly SourceImageConfig NoConfig = new([], [], [], null, null);

    public static async Task<UnpackedSource> UnpackAsync(string source, string workDir, IReporter reporter, CancellationToken ct = default)
    {
        var rootfs = Path.Combine(workDir, "source-rootfs");
        if (Directory.Exists(source))
        {
            var full = Path.GetFullPath(source);
            return new UnpackedSource(full, DirectorySize(full), NoConfig, IsUserDirectory: true);
        }
        Directory.CreateDirectory(rootfs);
        string archive;
        if (File.Exists(source))
        {
            archive = source;
        }
        else
        {
            // Not a file or directory: an image in local podman storage.
            // docker-archive: podman writes its layers uncompressed (oci-archive gzips them, ~4x slower).
            archive = Path.Combine(workDir, "source.docker.tar");
            reporter.Info($"exporting {source} from podman storage");
            var r = await ProcessRunner.RunAsync(new ProcessSpec("podman", ["image", "save", "--format", "docker-archive", "-o", archive, source]), ct);
            if (!r.Ok)
                throw new VzException(MinifyErrors.UnknownSource, $"--from {source}: not a file, directory or podman image ({r.StdErr.Trim().Split('\n')[^1]})");
        }
        var outer = Path.Combine(workDir, "source-archive");
        ExtractOuter(archive, outer);
        var image = ImageLayout.Read(outer, archive);
        var layers = image.LayerFiles;
        var applier = new LayerApplier(rootfs, reporter);
        var i = 0;
        foreach (var layer in layers)
        {
            ct.ThrowIfCancellationRequested();
            reporter.Progress("unpack", ++i, layers.Count, $"layer {i}/{layers.Count}");
            using var raw = File.OpenRead(layer);
            using var stream = Decompress(raw);
            applier.Apply(stream, $"{Path.GetFileName(archive)}: layer {i}");
        }
        Directory.Delete(outer, recursive: true);
        return new UnpackedSource(rootfs, DirectorySize(rootfs), RunConfig(image.Config));
    }

    /// <summary>Extracts the outer archive: only plain files and directories with clean names.</summary>
    static void ExtractOuter(string archive, string into)
    {
        Directory.CreateDirectory(into);
        using var fs = File.OpenRead(archive);
        using var reader = new TarReader(fs);
        try
        {
            while (reader.GetNextEntry() is { } e)
            {
                var parts = ArchivePath.Components(e.Name, archive);
                if (parts.Count == 0)
                    continue;
                var dest = Path.Combine([into, .. parts]);
                if (e.EntryType == TarEntryType.Directory)
                    Directory.CreateDirectory(dest);
                else if (e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                    e.ExtractToFile(dest, overwrite: true);
                }
                // Links and devices have no place in an image archive's outer layout.
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException or InvalidOperationException)
        {
            // System.Formats.Tar throws several types on a corrupt header.
            throw new VzException(OciErrors.NotAnArchive, $"{archive}: not an image archive: {e.Message}");
        }
        catch (IOException e)
        {
            throw new VzException(OciErrors.NotAnArchive, $"{archive}: cannot unpack: {e.Message}");
        }
    }

    static SourceImageConfig RunConfig(ImageRunConfig? c) => c is null ? NoConfig
        : new SourceImageConfig(c.Env ?? [], c.Entrypoint ?? [], c.Cmd ?? [],
            c.WorkingDir is { Length: > 0 } wd ? wd : null,
            c.User is { Length: > 0 } u ? u : null);

    /// <summary>Layers may be plain tar, gzip or zstd: sniff the magic bytes.</summary>
    static Stream Decompress(Stream raw)
    {
        var head = new byte[4];
        var n = raw.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        raw.Position = 0;
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            return new GZipStream(raw, CompressionMode.Decompress, leaveOpen: true);
        if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
            return new ZstdSharp.DecompressionStream(raw, leaveOpen: true);
        return raw;
    }

    /// <summary>Bytes of regular files; symlinks carry ReparsePoint on Unix, so skipping that skips them (no readlink each).</summary>
    static long DirectorySize(string dir) =>
        new DirectoryInfo(dir)
            .EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true })
            .Sum(f => f.Length);
}
