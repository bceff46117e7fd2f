using Vz.Oci.Tar;

namespace Vz.Oci;

/// <summary>The single uncompressed layer: its entries (content read when written) and digest.</summary>
public sealed record TarLayer(IReadOnlyList<TarEntry> Entries, long MTimeClamp, Descriptor Descriptor)
{
    /// <summary>A layer of these entries, serialized once to learn its digest and size; the writer streams it again and checks.</summary>
    public static TarLayer Of(IReadOnlyList<TarEntry> entries, long mtimeClamp) => new(entries, mtimeClamp, Describe(entries, mtimeClamp));

    public static Descriptor Describe(IReadOnlyList<TarEntry> entries, long mtimeClamp)
    {
        using var hash = new HashingStream();
        TarStreamWriter.WriteAll(entries, hash, mtimeClamp);
        return new Descriptor(MediaTypes.LayerTar, hash.Digest(), hash.Written);
    }
}

/// <summary>A complete image, ready for a writer (<see cref="OciArchive.Write"/>): every blob's bytes or recipe, and its descriptor.</summary>
public sealed record BuiltImage(
    ImageReference Reference,
    TarLayer Layer,
    ImageConfig Config, byte[] ConfigBytes, Descriptor ConfigDescriptor,
    ImageManifest Manifest, byte[] ManifestBytes, Descriptor ManifestDescriptor,
    ImageIndex Index, byte[] IndexBytes);
