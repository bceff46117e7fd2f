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
    [JsonPropertyName("additionalGids")] public IReadOnlyList<uint>? AdditionalGids { get; init; }
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
    [JsonPropertyName("resources")] public RuntimeResources? Resources { get; init; }
    /// <summary>cgroupfs: a path (relative to the runtime's own cgroup when not absolute); systemd: "slice:prefix:name".</summary>
    [JsonPropertyName("cgroupsPath")] public string? CgroupsPath { get; init; }
}

/// <summary>runtime-spec config-linux.md "Control groups": only what vz sets.</summary>
public sealed record RuntimeResources
{
    [JsonPropertyName("memory")] public RuntimeMemory? Memory { get; init; }
    [JsonPropertyName("cpu")] public RuntimeCpu? Cpu { get; init; }
}

public sealed record RuntimeMemory
{
    /// <summary>Bytes; the kernel kills the container's processes past it.</summary>
    [JsonPropertyName("limit")] public long? Limit { get; init; }
    /// <summary>Bytes; the soft limit the kernel reclaims towards under pressure.</summary>
    [JsonPropertyName("reservation")] public long? Reservation { get; init; }
}

public sealed record RuntimeCpu
{
    /// <summary>Microseconds of CPU time per <see cref="Period"/> (CFS quota).</summary>
    [JsonPropertyName("quota")] public long? Quota { get; init; }
    [JsonPropertyName("period")] public ulong? Period { get; init; }
}

public sealed record RuntimeNamespace([property: JsonPropertyName("type")] string Type);

/// <summary>
/// The parts of runc's default spec (`runc spec`, runc 1.1) that every container vz writes a
/// config.json for takes: vzbuild bundle's and a runc pod's. The cgroup mount is left out: hosts in
/// cgroup hybrid mode refuse it.
/// </summary>
public static class RuntimeDefaults
{
    /// <summary>RLIMIT_NOFILE soft and hard. A runtime cannot raise a limit above its own, so keep it modest.</summary>
    public const ulong NoFileLimit = 1024;

    public static readonly IReadOnlyList<RuntimeMount> Mounts =
    [
        new("/proc", "proc", "proc", []),
        new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        new("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        new("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        new("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        new("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
    ];

    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    public static readonly IReadOnlyList<string> ReadonlyPaths =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
}
