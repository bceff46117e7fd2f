using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Vz.Deploy.Push;
using Vz.Oci;

namespace Vz.Deploy.Runc;

/// <summary>
/// What a runc pod needs of its image, read on the operator's machine from the archive deploy
/// ships: the image config (how to run it), its ID (the config digest, as podman would name it),
/// how the node unpacks its layers, and the image's /etc/passwd and /etc/group (to resolve a user
/// name the config gives).
/// </summary>
public sealed record RuncImage(string Name, string ArchiveSha256, string ConfigDigest, ImageRunConfig Config, UnpackPlan Unpack)
{
    public string? Passwd { get; init; }
    public string? Group { get; init; }

    static readonly ConcurrentDictionary<string, RuncImage> Read = new(StringComparer.Ordinal);

    /// <summary>Most a passwd or group file vz reads from a layer.</summary>
    const long MaxUserFile = 1 << 20;

    static readonly string[] UserFiles = ["etc/passwd", "etc/group"];

    /// <summary>Reads an archive once per process (deploy opens it for every node that runs the pod).</summary>
    public static RuncImage Of(ImageArchive archive) => Read.GetOrAdd(archive.Sha256, _ => Load(archive));

    static RuncImage Load(ImageArchive archive)
    {
        var path = archive.Path;
        var info = OciArchive.ReadIndex(path);
        if (info.Manifest.MediaType is not (MediaTypes.Manifest or "application/vnd.docker.distribution.manifest.v2+json"))
            throw new VzException(RuncErrors.CannotUnpack, $"{path}: index.json lists {info.Manifest.MediaType}, not an image manifest",
                "save one platform's image (podman save --format oci-archive), or build it with vzbuild image");
        var manifest = OciJson.Deserialize<ImageManifest>(OciArchive.ReadMember(path, OciArchive.BlobPath(info.Manifest.Digest)), $"{path}: manifest");
        var config = OciJson.Deserialize<ImageConfig>(OciArchive.ReadMember(path, OciArchive.BlobPath(manifest.Config.Digest)), $"{path}: image config");
        var layers = ReadLayers(path, manifest.Layers);
        var plan = LayerScan.Plan(layers, path);
        string? File(string name) => layers.Select(l => l.Files.GetValueOrDefault(name)).LastOrDefault(t => t is not null);
        return new RuncImage(archive.Name, archive.Sha256, manifest.Config.Digest, config.Config, plan) { Passwd = File("etc/passwd"), Group = File("etc/group") };
    }

    /// <summary>Compression from a layer's media type: uncompressed and gzip tars; anything else is refused.</summary>
    public static LayerCompression CompressionOf(string mediaType, string where) => mediaType switch
    {
        MediaTypes.LayerTar or "application/vnd.docker.image.rootfs.diff.tar" => LayerCompression.None,
        "application/vnd.oci.image.layer.v1.tar+gzip" or "application/vnd.docker.image.rootfs.diff.tar.gzip" => LayerCompression.Gzip,
        _ => throw new VzException(RuncErrors.CannotUnpack, $"{where}: layer type {mediaType}: runc pods unpack uncompressed and gzip layers only",
            "convert it (skopeo copy --dest-compress-format gzip), or run it as a podman pod"),
    };

    /// <summary>Every layer's entries in one pass over the archive (its members are in digest order, not layer order).</summary>
    static List<LayerContent> ReadLayers(string path, IReadOnlyList<Descriptor> descriptors)
    {
        var wanted = descriptors.Select((d, i) => (Member: OciArchive.BlobPath(d.Digest), Index: i, d.MediaType)).ToList();
        var found = new LayerContent?[wanted.Count];
        try
        {
            using var outer = new TarReader(System.IO.File.OpenRead(path));
            while (outer.GetNextEntry() is { } member)
            {
                var name = member.Name.TrimStart('.', '/');
                foreach (var w in wanted.Where(w => w.Member == name && found[w.Index] is null))
                {
                    if (member.DataStream is null)
                        continue;
                    var compression = CompressionOf(w.MediaType, $"{path}: layer {w.Index + 1}");
                    found[w.Index] = Scan(member.Name, compression, member.DataStream, $"{path}: layer {w.Index + 1}");
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or ArgumentException or InvalidOperationException)
        {
            throw new VzException(RuncErrors.CannotUnpack, $"{path}: cannot read its layers: {e.Message}");
        }
        for (var i = 0; i < found.Length; i++)
            if (found[i] is null)
                throw new VzException(RuncErrors.CannotUnpack, $"{path}: layer {i + 1} ({wanted[i].Member}) is not in the archive");
        return found.Select(f => f!).ToList();
    }

    static LayerContent Scan(string member, LayerCompression compression, Stream data, string where)
    {
        using var stream = compression == LayerCompression.Gzip ? new GZipStream(data, CompressionMode.Decompress, leaveOpen: true) : data;
        using var reader = new TarReader(stream, leaveOpen: true);
        var entries = new List<LayerEntry>();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is { } e)
        {
            var kind = e.EntryType switch
            {
                TarEntryType.Directory => LayerEntryKind.Directory,
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => LayerEntryKind.File,
                TarEntryType.SymbolicLink => LayerEntryKind.Symlink,
                TarEntryType.HardLink => LayerEntryKind.Hardlink,
                _ => LayerEntryKind.Other,
            };
            var xattrs = e is PaxTarEntry pax && pax.ExtendedAttributes.Keys.Any(k => k.StartsWith("SCHILY.xattr.", StringComparison.Ordinal));
            entries.Add(new LayerEntry(e.Name, kind, e.LinkName.Length == 0 ? null : e.LinkName, xattrs));
            var clean = LayerScan.Clean(e.Name, where);
            if (kind == LayerEntryKind.File && UserFiles.Contains(clean) && e.DataStream is { } d && e.Length <= MaxUserFile)
            {
                using var text = new StreamReader(d, Encoding.UTF8, leaveOpen: true);
                files[clean] = text.ReadToEnd();
            }
        }
        return new LayerContent(member, compression, entries) { Files = files };
    }
}
