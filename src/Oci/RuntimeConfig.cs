using System.Text.Json.Serialization;

namespace Vz.Oci;

// The OCI runtime configuration (config.json) as plain records: only the fields vz sets.
// https://github.com/opencontainers/runtime-spec/blob/v1.0.2/config.md

public sealed record RuntimeConfig
{
    [JsonPropertyName("ociVersion")] public string OciVersion { get; init; } = "1.0.2";
    [JsonPropertyName("process")] public required RuntimeProcess Process { get; init; }
    [JsonPropertyName("root")] public RuntimeRoot Root { get; init; } = new();
    [JsonPropertyName("hostname")] public string? Hostname { get; init; }
    [JsonPropertyName("mounts")] public IReadOnlyList<RuntimeMount> Mounts { get; init; } = [];
    [JsonPropertyName("linux")] public RuntimeLinux Linux { get; init; } = new();
    /// <summary>Sorted by key when written, so the file is stable.</summary>
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record RuntimeProcess
{
    [JsonPropertyName("terminal")] public bool Terminal { get; init; }
    [JsonPropertyName("user")] public RuntimeUser User { get; init; } = new();
    [JsonPropertyName("args")] public IReadOnlyList<string> Args { get; init; } = [];
    [JsonPropertyName("env")] public IReadOnlyList<string> Env { get; init; } = [];
    [JsonPropertyName("cwd")] public string Cwd { get; init; } = "/";
    [JsonPropertyName("capabilities")] public RuntimeCapabilities? Capabilities { get; init; }
    [JsonPropertyName("rlimits")] public IReadOnlyList<RuntimeRlimit> Rlimits { get; init; } = [];
    [JsonPropertyName("noNewPrivileges")] public bool NoNewPrivileges { get; init; } = true;
}

public sealed record RuntimeUser
{
    [JsonPropertyName("uid")] public uint Uid { get; init; }
    [JsonPropertyName("gid")] public uint Gid { get; init; }
}

public sealed record RuntimeCapabilities
{
    [JsonPropertyName("bounding")] public IReadOnlyList<string> Bounding { get; init; } = [];
    [JsonPropertyName("effective")] public IReadOnlyList<string> Effective { get; init; } = [];
    [JsonPropertyName("permitted")] public IReadOnlyList<string> Permitted { get; init; } = [];
    [JsonPropertyName("ambient")] public IReadOnlyList<string> Ambient { get; init; } = [];
}

public sealed record RuntimeRlimit(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("hard")] ulong Hard,
    [property: JsonPropertyName("soft")] ulong Soft);

public sealed record RuntimeRoot
{
    [JsonPropertyName("path")] public string Path { get; init; } = "rootfs";
    [JsonPropertyName("readonly")] public bool Readonly { get; init; }
}

public sealed record RuntimeMount(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("options")] IReadOnlyList<string> Options);

public sealed record RuntimeLinux
{
    [JsonPropertyName("namespaces")] public IReadOnlyList<RuntimeNamespace> Namespaces { get; init; } = [];
    [JsonPropertyName("maskedPaths")] public IReadOnlyList<string> MaskedPaths { get; init; } = [];
    [JsonPropertyName("readonlyPaths")] public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];
}

public sealed record RuntimeNamespace([property: JsonPropertyName("type")] string Type);
