using System.Text.Json.Serialization;

namespace Vz.Oci;

// OCI image-spec v1.1 types as plain records, only the fields vz writes or reads.
// Field order is fixed (declaration order, schemaVersion first) because digests are over these bytes.
// https://github.com/opencontainers/image-spec/blob/v1.1.0/spec.md

public static class MediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    /// <summary>Uncompressed on purpose: nodes keep layers as they are so binary deltas stay small.</summary>
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
}

public static class Annotations
{
    /// <summary>image-spec annotations.md: the tag of a manifest in an index.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";
    /// <summary>The full name containerd and podman load use (containers/podman#12560).</summary>
    public const string ContainerdImageName = "io.containerd.image.name";
}

public sealed record Descriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size)
{
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record ImageIndex(
    [property: JsonPropertyName("manifests")] IReadOnlyList<Descriptor> Manifests)
{
    [JsonPropertyName("schemaVersion"), JsonPropertyOrder(-2)] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType"), JsonPropertyOrder(-1)] public string MediaType { get; init; } = MediaTypes.Index;
}

public sealed record ImageManifest(
    [property: JsonPropertyName("config")] Descriptor Config,
    [property: JsonPropertyName("layers")] IReadOnlyList<Descriptor> Layers)
{
    [JsonPropertyName("schemaVersion"), JsonPropertyOrder(-2)] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType"), JsonPropertyOrder(-1)] public string MediaType { get; init; } = MediaTypes.Manifest;
}

/// <summary>https://github.com/opencontainers/image-spec/blob/v1.1.0/config.md</summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")] public string? Created { get; init; }
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("os")] public string Os { get; init; } = "linux";
    [JsonPropertyName("config")] public ImageRunConfig Config { get; init; } = new();
    [JsonPropertyName("rootfs")] public required ImageRootfs Rootfs { get; init; }
    [JsonPropertyName("history")] public IReadOnlyList<ImageHistory>? History { get; init; }
}

/// <summary>The "config" object: how to run the image. Field names are the spec's.</summary>
public sealed record ImageRunConfig
{
    [JsonPropertyName("User")] public string? User { get; init; }
    /// <summary>Keys like "8080/tcp", each mapped to an empty object, as the spec says.</summary>
    [JsonPropertyName("ExposedPorts")] public IReadOnlyDictionary<string, EmptyObject>? ExposedPorts { get; init; }
    [JsonPropertyName("Env")] public IReadOnlyList<string>? Env { get; init; }
    [JsonPropertyName("Entrypoint")] public IReadOnlyList<string>? Entrypoint { get; init; }
    [JsonPropertyName("Cmd")] public IReadOnlyList<string>? Cmd { get; init; }
    [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
}

public sealed record EmptyObject;

public sealed record ImageRootfs(
    [property: JsonPropertyName("diff_ids")] IReadOnlyList<string> DiffIds)
{
    [JsonPropertyName("type"), JsonPropertyOrder(-1)] public string Type { get; init; } = "layers";
}

public sealed record ImageHistory(
    [property: JsonPropertyName("created")] string? Created,
    [property: JsonPropertyName("created_by")] string CreatedBy);
