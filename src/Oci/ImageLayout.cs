using System.Text.Json.Serialization;

namespace Vz.Oci;

/// <summary>An image read from an unpacked archive: its layer files, bottom first, and how to run it.</summary>
public sealed record UnpackedImage(IReadOnlyList<string> LayerFiles, ImageRunConfig? Config);

/// <summary>
/// Reads an image archive already unpacked into a directory (its outer tar extracted, as minify
/// does): an OCI image layout (index.json, then blobs by digest; an index nested in the index
/// gives its first manifest) or a docker-archive (manifest.json, as docker and podman save write it).
/// https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
/// </summary>
public static class ImageLayout
{
    public const string DockerManifestFile = "manifest.json";

    /// <summary>The first image's layers and run config; <paramref name="source"/> names the archive in errors.</summary>
    public static UnpackedImage Read(string dir, string source)
    {
        if (File.Exists(Path.Combine(dir, DockerManifestFile)))
            return ReadDocker(dir, source);
        if (File.Exists(Path.Combine(dir, OciArchive.IndexFile)))
            return ReadOci(dir, source);
        throw new VzException(OciErrors.NotAnArchive, $"{source}: neither a docker-archive ({DockerManifestFile}) nor an oci-archive ({OciArchive.IndexFile})");
    }

    static UnpackedImage ReadOci(string dir, string source)
    {
        var index = Parse<ImageIndex>(Path.Combine(dir, OciArchive.IndexFile), source, OciArchive.IndexFile);
        var manifestDigest = OciArchive.FirstManifest(index, $"{source}: {OciArchive.IndexFile}").Digest;
        var manifestPath = Blob(dir, manifestDigest, source);
        // A manifest list or nested index: take its first manifest.
        if (Parse<ImageIndex>(manifestPath, source, manifestDigest).Manifests is { Count: > 0 } nested)
        {
            manifestDigest = OciArchive.FirstManifest(new ImageIndex(nested), $"{source}: nested index").Digest;
            manifestPath = Blob(dir, manifestDigest, source);
        }
        var manifest = Parse<ImageManifest>(manifestPath, source, manifestDigest);
        if (manifest.Config is null || manifest.Layers is null)
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: manifest {manifestDigest}: no config or layers");
        return new UnpackedImage(manifest.Layers.Select(l => Blob(dir, l?.Digest, source)).ToList(),
            ReadRunConfig(Blob(dir, manifest.Config.Digest, source), source));
    }

    static UnpackedImage ReadDocker(string dir, string source)
    {
        var m = Parse<List<DockerManifestEntry>>(Path.Combine(dir, DockerManifestFile), source, DockerManifestFile).FirstOrDefault()
            ?? throw new VzException(OciErrors.NotAnArchive, $"{source}: {DockerManifestFile} lists no image");
        if (m.Config is null || m.Layers is null)
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: {DockerManifestFile}: no Config or Layers");
        return new UnpackedImage(m.Layers.Select(l => Member(dir, l ?? "", source)).ToList(), ReadRunConfig(Member(dir, m.Config, source), source));
    }

    /// <summary>One image in a docker-archive's manifest.json (docker save's layout; no spec beyond moby's image/tarexport).</summary>
    sealed record DockerManifestEntry(string? Config, IReadOnlyList<string>? Layers);

    /// <summary>Only the run config of an image config: its other fields (architecture, rootfs) do not matter here.</summary>
    sealed record RunConfigOnly([property: JsonPropertyName("config")] ImageRunConfig? Config);

    /// <summary>The run config; a null where a string belongs (an Env entry, a Cmd word) is refused here, not met later.</summary>
    static ImageRunConfig? ReadRunConfig(string path, string source)
    {
        var config = Parse<RunConfigOnly>(path, source, Path.GetFileName(path)).Config;
        foreach (var (name, list) in new[] { ("Env", config?.Env), ("Entrypoint", config?.Entrypoint), ("Cmd", config?.Cmd) })
            if (list?.Any(item => item is null) == true)
                throw new VzException(OciErrors.BadArchiveContent, $"{source}: image config: {name} holds a null");
        return config;
    }

    /// <summary>
    /// The file of a blob named by its digest: only the registered algorithms (image-spec
    /// descriptor.md: sha256, sha512) with their length of lowercase hex name files.
    /// </summary>
    static string Blob(string dir, string? digest, string source)
    {
        var parts = digest?.Split(':') ?? [];
        var hexLength = parts.Length == 2 ? parts[0] switch { "sha256" => 64, "sha512" => 128, _ => -1 } : -1;
        if (hexLength < 0 || parts[1].Length != hexLength || parts[1].Any(ch => !char.IsAsciiHexDigitLower(ch)))
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: bad digest {digest ?? "(none)"}");
        return Member(dir, OciArchive.BlobPath(digest!), source);
    }

    /// <summary>
    /// A member named by the archive's own JSON: relative, no "..", and a regular file inside the
    /// directory reached without symlinks (the one containment rule, <see cref="Vz.Fs.RootFs"/>).
    /// </summary>
    static string Member(string dir, string name, string source)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Count == 0 || parts.Contains(".."))
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: names a member outside the archive: {name}");
        var fs = new Vz.Fs.RootFs(dir);
        Vz.Fs.Resolution found;
        try
        {
            found = fs.Resolve("/" + string.Join('/', parts));
        }
        catch (IOException e)
        {
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: cannot read {name}: {e.Message}");
        }
        if (found.Chain.Count > 0)
            throw new VzException(OciErrors.BadArchiveContent, $"{source}: {name} is reached through a symlink, which an image archive does not have");
        if (!found.Is(Vz.Fs.UnixFileType.Regular))
            throw new VzException(OciErrors.BadArchiveContent, found.Ok ? $"{source}: {name} is not a regular file" : $"{source}: missing {name}");
        return fs.HostPath(found.Path);
    }

    static T Parse<T>(string path, string source, string what) =>
        OciJson.Deserialize<T>(InputFile.ReadAllBytes(path, OciJson.MaxDocumentBytes, OciErrors.BadJson, "OCI JSON document"), $"{source}: {what}");
}
