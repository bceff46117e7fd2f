namespace Vz.Deploy.Pods;

/// <summary>
/// A Kubernetes <c>v1 Pod</c> as vz accepts it: exactly the fields podman kube play honors on
/// podman 4.3 (the oldest vz supports) and 5.x, and that vz can keep its promises with. The
/// reader refuses everything else, so this record holds every field that reaches a node.
/// </summary>
public sealed record PodManifest
{
    /// <summary>Where it was read from (for messages).</summary>
    public required string File { get; init; }
    /// <summary>metadata.name: the podman pod name, and vz's pod name.</summary>
    public required string Name { get; init; }
    public int Line { get; init; } = 1;
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Always;
    public string? Hostname { get; init; }
    public bool? ShareProcessNamespace { get; init; }
    public IReadOnlyList<HostAlias> HostAliases { get; init; } = [];
    public PodSecurity? Security { get; init; }
    public required IReadOnlyList<Container> Containers { get; init; }
    public IReadOnlyList<Volume> Volumes { get; init; } = [];

    /// <summary>The images the containers name, each once, in order.</summary>
    public IReadOnlyList<string> Images => Containers.Select(c => c.Image).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Every published port: podman publishes each containerPort on the node (hostPort defaults to it).</summary>
    public IEnumerable<PortMapping> Ports => Containers.SelectMany(c => c.Ports);

    /// <summary>The sum of the containers' memory limits; null when any container has none.</summary>
    public long? MemoryLimit => Containers.All(c => c.Resources.MemoryLimit is not null)
        ? Containers.Sum(c => c.Resources.MemoryLimit!.Value) : null;

    public bool LimitsMemory => Containers.Any(c => c.Resources.MemoryLimit is not null);

    /// <summary>The names of the fleet secrets this pod uses (volumes and env), each once.</summary>
    public IReadOnlyList<string> SecretNames =>
        Volumes.Select(v => v.Source).OfType<SecretVolume>().Select(s => s.SecretName)
            .Concat(Containers.SelectMany(c => c.Env).Where(e => e.Secret is not null).Select(e => e.Secret!.Name))
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The uid that reads a secret volume (the reader checked there is exactly one).</summary>
    public long? SecretOwner(string volumeName) =>
        Containers.Where(c => c.Mounts.Any(m => m.Name == volumeName)).Select(c => c.EffectiveUser(Security)).FirstOrDefault();
}

public enum RestartPolicy { Always, OnFailure }

public sealed record HostAlias(string Ip, IReadOnlyList<string> Hostnames);

/// <summary>spec.securityContext, the part podman 4.3 applies to every container.</summary>
public sealed record PodSecurity(long? RunAsUser, long? RunAsGroup, IReadOnlyList<long> SupplementalGroups);

public sealed record Container
{
    public required string Name { get; init; }
    public int Line { get; init; }
    public required string Image { get; init; }
    public int ImageLine { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyList<EnvVar> Env { get; init; } = [];
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    public Resources Resources { get; init; } = new(null, null, null);
    public IReadOnlyList<VolumeMount> Mounts { get; init; } = [];
    public ExecProbe? Liveness { get; init; }
    public ContainerSecurity? Security { get; init; }

    /// <summary>runAsUser of the container, else of the pod; null when the image decides.</summary>
    public long? EffectiveUser(PodSecurity? pod) => Security?.RunAsUser ?? pod?.RunAsUser;

    public long? EffectiveGroup(PodSecurity? pod) => Security?.RunAsGroup ?? pod?.RunAsGroup;
}

/// <summary>An environment variable: a literal value, or one key of a fleet secret.</summary>
public sealed record EnvVar(string Name, string? Value, SecretKeyRef? Secret);

/// <summary>env.valueFrom.secretKeyRef: key Key of the fleet file's secret Name.</summary>
public sealed record SecretKeyRef(string Name, string Key, int Line);

public enum PortProtocol { Tcp, Udp }

/// <summary>A published port; HostPort is always set (defaulting to ContainerPort, as podman 4.3 does).</summary>
public sealed record PortMapping(string? Name, int ContainerPort, int HostPort, PortProtocol Protocol, string? HostIp, int Line)
{
    /// <summary>Reachable only from the node itself: vz opens no firewall port for it.</summary>
    public bool LoopbackOnly => HostIp is "127.0.0.1" or "::1";

    public string ProtocolName => Protocol == PortProtocol.Tcp ? "tcp" : "udp";
}

/// <summary>resources: memory limit and request in bytes, cpu limit in millicores.</summary>
public sealed record Resources(long? MemoryLimit, long? MemoryRequest, long? CpuLimitMillis);

public sealed record VolumeMount(string Name, string MountPath, bool ReadOnly, int Line);

/// <summary>
/// livenessProbe.exec, the one probe form vz accepts: podman makes it the container's health
/// check (4.3 runs it through /bin/sh -c inside the container, 5.x execs it directly).
/// </summary>
public sealed record ExecProbe(IReadOnlyList<string> Command, int? PeriodSeconds, int? FailureThreshold, int? TimeoutSeconds, int? InitialDelaySeconds);

public sealed record ContainerSecurity(long? RunAsUser, long? RunAsGroup, bool? ReadOnlyRootFilesystem,
    bool? AllowPrivilegeEscalation, bool? Privileged, IReadOnlyList<string> CapAdd, IReadOnlyList<string> CapDrop);

public sealed record Volume(string Name, VolumeSource Source, int Line);

public abstract record VolumeSource;

/// <summary>A node directory or file, bind-mounted; vz never deletes it.</summary>
public sealed record HostPathVolume(string Path, string? Type) : VolumeSource;

/// <summary>persistentVolumeClaim: a podman named volume called ClaimName, kept across updates.</summary>
public sealed record ClaimVolume(string ClaimName) : VolumeSource;

/// <summary>A fleet secret as a read-only directory with one file per key.</summary>
public sealed record SecretVolume(string SecretName) : VolumeSource;
