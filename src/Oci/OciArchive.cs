using Vz.Oci.Tar;
using TarReader = System.Formats.Tar.TarReader;

namespace Vz.Oci;

/// <summary>What an OCI image archive's index.json says about its image.</summary>
public sealed record OciArchiveInfo(ImageReference? Reference, Descriptor Manifest)
{
    /// <summary>
    /// The image's name as annotated on the first manifest that has one: io.containerd.image.name,
    /// else org.opencontainers.image.ref.name (podman save puts the full name there); null when none.
    /// Unlike <see cref="Reference"/> it may carry a digest.
    /// </summary>
    public string? Name { get; init; }
}

/// <summary>
/// The one writer and reader of OCI image layouts packed in a tar ("oci-archive"):
/// oci-layout, index.json and blobs/sha256/. https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
/// Unpacked archives (oci-archive or docker-archive directories) are read by <see cref="ImageLayout"/>.
/// </summary>
public static class OciArchive
{
    public const string IndexFile = "index.json";

    static readonly byte[] LayoutBytes = """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray();

    /// <summary>Writes the image to <paramref name="file"/> (temp file, then rename). Equal images give equal bytes.</summary>
    public static void Write(BuiltImage image, string file)
    {
        var full = Path.GetFullPath(file);
        var tmp = full + ".vz-tmp";
        var mtime = image.Layer.MTimeClamp;
        var blobs = new List<(string Digest, Action<TarStreamWriter, TarEntry> Write, long Size)>
        {
            (image.ConfigDescriptor.Digest, (w, e) => w.Write(e with { Data = image.ConfigBytes }), image.ConfigBytes.Length),
            (image.ManifestDescriptor.Digest, (w, e) => w.Write(e with { Data = image.ManifestBytes }), image.ManifestBytes.Length),
            (image.Layer.Descriptor.Digest, (w, e) => w.Write(e, s => WriteLayer(image.Layer, s)), image.Layer.Descriptor.Size),
        };
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                var w = new TarStreamWriter(fs, mtime);
                w.Write(TarEntry.ForDirectory("blobs/", mtime));
                w.Write(TarEntry.ForDirectory("blobs/sha256/", mtime));
                foreach (var (digest, write, size) in blobs.DistinctBy(b => b.Digest).OrderBy(b => b.Digest, StringComparer.Ordinal))
                    write(w, new TarEntry(BlobPath(digest), TarEntryKind.File, TarEntry.FileMode, 0, 0, mtime) { Size = size });
                w.Write(TarEntry.ForData(IndexFile, image.IndexBytes, mtime));
                w.Write(TarEntry.ForData("oci-layout", LayoutBytes, mtime));
                w.Finish();
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(OciErrors.CannotWrite, $"{file}: cannot write image archive: {e.Message}");
        }
        finally
        {
            if (File.Exists(tmp))
                File.Delete(tmp);
        }
    }

    /// <summary>Where a blob lies in a layout: blobs/ALGORITHM/HEX.</summary>
    public static string BlobPath(string digest) => "blobs/" + digest.Replace(':', '/');

    static void WriteLayer(TarLayer layer, Stream into)
    {
        using var hash = new HashingStream(into);
        TarStreamWriter.WriteAll(layer.Entries, hash, layer.MTimeClamp);
        var digest = hash.Digest();
        if (digest != layer.Descriptor.Digest)
            throw new VzException(OciErrors.LayerChanged, $"layer changed while writing the image (digest {digest}, expected {layer.Descriptor.Digest}); rebuild the image");
    }

    /// <summary>Reads index.json of an archive file: the image's name and tag and the manifest descriptor.</summary>
    public static OciArchiveInfo ReadIndex(string file)
    {
        using var tar = OpenRead(file);
        return ReadIndex(tar, file);
    }

    /// <summary>Reads index.json from an archive being read as a stream (<paramref name="source"/> names it in errors).</summary>
    public static OciArchiveInfo ReadIndex(Stream tar, string source) =>
        Describe(OciJson.Deserialize<ImageIndex>(ReadMember(tar, IndexFile, source), $"{source}: {IndexFile}"), $"{source}: {IndexFile}");

    /// <summary>What an index says about its image: the first manifest, and the name annotated on it.</summary>
    public static OciArchiveInfo Describe(ImageIndex index, string what)
    {
        var first = FirstManifest(index, what);
        var annotations = index.Manifests.Select(m => m?.Annotations).OfType<IReadOnlyDictionary<string, string>>().ToList();
        var name = annotations
            .SelectMany(a => new[] { a.GetValueOrDefault(Annotations.ContainerdImageName), a.GetValueOrDefault(Annotations.RefName) })
            .FirstOrDefault(n => n is { Length: > 0 });
        var fullName = first.Annotations?.GetValueOrDefault(Annotations.ContainerdImageName);
        var tag = first.Annotations?.GetValueOrDefault(Annotations.RefName);
        var reference = fullName is not null ? ImageReference.TryParse(fullName)
            : tag is not null ? new ImageReference("", tag) : null;
        return new OciArchiveInfo(reference, first with { Annotations = null }) { Name = name };
    }

    /// <summary>The first manifest an index lists; an index listing none is not an image.</summary>
    internal static Descriptor FirstManifest(ImageIndex index, string what) =>
        index.Manifests is { Count: > 0 } m
            ? m[0] ?? throw new VzException(OciErrors.NotAnArchive, $"{what} lists null as its first manifest")
            : throw new VzException(OciErrors.NotAnArchive, $"{what} lists no manifest");

    /// <summary>The bytes of one member ("index.json", "blobs/sha256/HEX") of an archive file.</summary>
    public static byte[] ReadMember(string file, string name, long maxBytes = OciJson.MaxDocumentBytes)
    {
        using var tar = OpenRead(file);
        return ReadMember(tar, name, file, maxBytes);
    }

    /// <summary>
    /// The bytes of one member of an archive being read as a stream, at most <paramref name="maxBytes"/>
    /// (a member's header may claim any size; JSON documents stay within <see cref="OciJson.MaxDocumentBytes"/>).
    /// </summary>
    public static byte[] ReadMember(Stream tar, string name, string source, long maxBytes = OciJson.MaxDocumentBytes)
    {
        try
        {
            using var reader = new TarReader(tar, leaveOpen: true);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') != name || entry.DataStream is null)
                    continue;
                if (entry.Length > maxBytes)
                    throw new VzException(OciErrors.NotAnArchive, $"{source}: {name} is {entry.Length} bytes, more than the {InputFile.Size(maxBytes)} vz reads of it");
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                return ms.ToArray();
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidOperationException)
        {
            // System.Formats.Tar throws several types on a corrupt header (a bad checksum, a size field that is not octal).
            throw new VzException(OciErrors.NotAnArchive, $"{source}: cannot read as an OCI archive: {e.Message}");
        }
        throw new VzException(OciErrors.NotAnArchive, $"{source}: no {name} in it (not an OCI image archive?)",
            "make one with vzbuild image or podman save --format oci-archive");
    }

    static FileStream OpenRead(string file)
    {
        if (Directory.Exists(file))
            throw new VzException(OciErrors.NotAnArchive, $"{file}: is a directory, not an OCI archive file");
        try
        {
            return File.OpenRead(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(OciErrors.NotAnArchive, $"{file}: cannot read as an OCI archive: {e.Message}");
        }
    }
}
