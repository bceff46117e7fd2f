using TarReader = System.Formats.Tar.TarReader;
using Vz.Bundle.Fs;
using Vz.Bundle.Tar;

namespace Vz.Bundle.Image;

/// <summary>What an OCI image archive says about itself.</summary>
public sealed record OciArchiveInfo(ImageReference? Reference, Descriptor Manifest);

/// <summary>
/// Writes and reads OCI image layouts packed in a tar ("oci-archive"):
/// oci-layout, index.json and blobs/sha256/. https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
/// </summary>
public static class OciArchive
{
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
                    write(w, new TarEntry(BlobPath(digest), TarEntryKind.File, Modes.O644, 0, 0, mtime) { Size = size });
                w.Write(TarEntry.ForData("index.json", image.IndexBytes, mtime));
                w.Write(TarEntry.ForData("oci-layout", LayoutBytes, mtime));
                w.Finish();
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException("VZ2032", $"{file}: cannot write image archive: {e.Message}");
        }
        finally
        {
            Packer.DeleteIfPresent(tmp);
        }
    }

    static string BlobPath(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    static void WriteLayer(TarLayer layer, Stream into)
    {
        using var hash = new HashingStream(into);
        TarStreamWriter.WriteAll(layer.Entries, hash, layer.MTimeClamp);
        var digest = hash.Digest();
        if (digest != layer.Descriptor.Digest)
            throw new VzException("VZ2033", $"layer changed while writing the image (digest {digest}, expected {layer.Descriptor.Digest}); rebuild the image");
    }

    /// <summary>Reads index.json: the image's name and tag (from its annotations) and the manifest descriptor.</summary>
    public static OciArchiveInfo ReadIndex(string file)
    {
        var index = OciJson.Deserialize<ImageIndex>(ReadMember(file, "index.json"), $"{file}: index.json");
        if (index.Manifests is null or { Count: 0 })
            throw new VzException("VZ2034", $"{file}: index.json lists no manifest");
        var m = index.Manifests[0];
        var name = m.Annotations?.GetValueOrDefault(Annotations.ContainerdImageName);
        var tag = m.Annotations?.GetValueOrDefault(Annotations.RefName);
        ImageReference? reference = name is not null ? ImageReference.Parse(name)
            : tag is not null ? new ImageReference("", tag) : null;
        return new OciArchiveInfo(reference, m with { Annotations = null });
    }

    /// <summary>The bytes of one member ("index.json", "blobs/sha256/HEX") of an archive.</summary>
    public static byte[] ReadMember(string file, string name)
    {
        try
        {
            using var fs = File.OpenRead(file);
            using var reader = new TarReader(fs);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') != name || entry.DataStream is null)
                    continue;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                return ms.ToArray();
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new VzException("VZ2034", $"{file}: cannot read as an OCI archive: {e.Message}");
        }
        throw new VzException("VZ2034", $"{file}: no {name} in it (not an OCI image archive?)");
    }
}
