using System.IO.Compression;
using Vz.Oci;
using Vz.Oci.Tar;

namespace Vz.Deploy.Tests.Runc;

/// <summary>One layer of a test image: its entries, written uncompressed or gzip-compressed (or only labeled with another media type).</summary>
sealed record TestLayer(IReadOnlyList<TarEntry> Entries, string MediaType = MediaTypes.LayerTar)
{
    public const string Gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string Zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
}

/// <summary>
/// OCI image archives of several layers for runc's unit tests, written the way other tools write
/// them (index, manifest, config, layer blobs by digest), not with vzbuild image's one-layer writer.
/// </summary>
static class LayeredArchive
{
    public static void Write(string path, string name, ImageRunConfig run, params TestLayer[] layers)
    {
        var blobs = new List<(string Digest, byte[] Bytes)>();
        var descriptors = new List<Descriptor>();
        var diffIds = new List<string>();
        foreach (var layer in layers)
        {
            using var raw = new MemoryStream();
            TarStreamWriter.WriteAll(layer.Entries, raw, 0);
            diffIds.Add(OciJson.Digest(raw.ToArray()));
            var bytes = layer.MediaType == TestLayer.Gzip ? Gzipped(raw.ToArray()) : raw.ToArray();
            blobs.Add((OciJson.Digest(bytes), bytes));
            descriptors.Add(new Descriptor(layer.MediaType, OciJson.Digest(bytes), bytes.Length));
        }
        var config = OciJson.Serialize(new ImageConfig { Architecture = "amd64", Config = run, Rootfs = new ImageRootfs(diffIds) });
        blobs.Add((OciJson.Digest(config), config));
        var manifest = OciJson.Serialize(new ImageManifest(OciJson.Describe(MediaTypes.Config, config), descriptors));
        blobs.Add((OciJson.Digest(manifest), manifest));
        var index = OciJson.Serialize(new ImageIndex([OciJson.Describe(MediaTypes.Manifest, manifest) with
        {
            Annotations = new Dictionary<string, string> { [Annotations.ContainerdImageName] = name, [Annotations.RefName] = name.Split(':')[^1] },
        }]));
        var entries = blobs.DistinctBy(b => b.Digest).Select(b => TarEntry.ForData(OciArchive.BlobPath(b.Digest), b.Bytes, 0))
            .Append(TarEntry.ForData("index.json", index, 0)).ToList();
        using var fs = System.IO.File.Create(path);
        TarStreamWriter.WriteAll(entries, fs, 0);
    }

    public static TarEntry File(string name, string text = "x") => TarEntry.ForData(name, System.Text.Encoding.UTF8.GetBytes(text), 0);

    public static TarEntry Dir(string name) => TarEntry.ForDirectory(name, 0);

    public static TarEntry Link(string name, string target) => new(name, TarEntryKind.Symlink, 0x1FF, 0, 0, 0) { LinkName = target };

    public static TarEntry Hard(string name, string target) => new(name, TarEntryKind.HardLink, TarEntry.FileMode, 0, 0, 0) { LinkName = target };

    static byte[] Gzipped(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(data);
        return ms.ToArray();
    }
}
