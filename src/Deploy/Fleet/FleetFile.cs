using Vz.Deploy.Pods;

namespace Vz.Deploy.Fleet;

/// <summary>
/// The fleet file (vz.yaml) as read: the desired state of a fleet. Paths are absolute on the
/// operator's machine, resolved against the fleet file's directory. Nothing here is a secret
/// value: secrets are named with where their value comes from.
/// </summary>
public sealed record FleetFile
{
    /// <summary>The fleet file itself (absolute).</summary>
    public required string Path { get; init; }
    /// <summary>Its directory: relative paths resolve here, and must stay inside it.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;
    public required string Inventory { get; init; }
    public int InventoryLine { get; init; }
    public required IReadOnlyList<PodEntry> Pods { get; init; }
    public IReadOnlyList<SecretDecl> Secrets { get; init; } = [];
    public RolloutSettings Rollout { get; init; } = new();

    public SecretDecl? Secret(string name) => Secrets.FirstOrDefault(s => s.Name == name);
}

/// <summary>One entry of pods: in the fleet file.</summary>
public sealed record PodEntry
{
    public required string Name { get; init; }
    public int Line { get; init; }
    /// <summary>The manifest, absolute on the operator's machine.</summary>
    public required string Manifest { get; init; }
    /// <summary>The manifest path as written (for messages: "pods/web.yaml:12: ...").</summary>
    public required string ManifestAsWritten { get; init; }
    public int ManifestLine { get; init; }
    /// <summary>Inventory groups whose hosts run this pod.</summary>
    public required IReadOnlyList<string> Groups { get; init; }
    public int GroupsLine { get; init; }
    public required IReadOnlyList<ImageArchiveRef> Images { get; init; }
    public int ImagesLine { get; init; }
    public HealthSpec Health { get; init; } = new(null, HealthSpec.DefaultTimeout);
    public PodRuntime Runtime { get; init; } = PodRuntime.Podman;
    /// <summary>How long after the switch the node restores the previous version unless vz confirms.</summary>
    public TimeSpan Deadman { get; init; }
}

public enum PodRuntime { Podman, Runc }

/// <summary>An image the manifest names and the archive that holds it (absolute local path).</summary>
public sealed record ImageArchiveRef(string Image, string Archive, int Line);

/// <summary>The check vz runs from the node after a switch: http or tcp against a host port, within Timeout.</summary>
public sealed record HealthSpec(HealthProbe? Probe, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
}

public abstract record HealthProbe(int Port, int Line);

/// <summary>An HTTP GET from the node to 127.0.0.1:Port/Path; any 2xx or 3xx status passes.</summary>
public sealed record HttpProbe(int Port, string Path, int Line) : HealthProbe(Port, Line);

/// <summary>A TCP connect from the node to 127.0.0.1:Port.</summary>
public sealed record TcpProbe(int Port, int Line) : HealthProbe(Port, Line);

/// <summary>
/// A named secret, shaped like a Kubernetes Secret: keys, each with where its value comes from
/// on the operator's machine. Manifests use it as a secret volume or env[].valueFrom.secretKeyRef.
/// </summary>
public sealed record SecretDecl(string Name, IReadOnlyList<SecretKey> Keys, int Line)
{
    public SecretKey? Key(string key) => Keys.FirstOrDefault(k => k.Key == key);
}

public sealed record SecretKey(string Key, SecretSource Source, int Line);

public abstract record SecretSource;

/// <summary>The value is the content of a file on the operator's machine (absolute, ~ expanded).</summary>
public sealed record FileSecret(string Path, string AsWritten) : SecretSource;

/// <summary>The value is an environment variable of the vzbuild process.</summary>
public sealed record EnvSecret(string Variable) : SecretSource;

/// <summary>rollout: how nodes are taken in turn.</summary>
public sealed record RolloutSettings
{
    /// <summary>Nodes deployed (and checked) alone first; 0 skips the canary.</summary>
    public int Canary { get; init; } = 1;
    /// <summary>Nodes at once after the canary; 0 means all the rest in one batch.</summary>
    public int Batch { get; init; }
    /// <summary>How long a deploy waits for another deploy's lock on a node before failing.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>A validated fleet: the file with every manifest read and cross-checked against it.</summary>
public sealed record DesiredFleet(FleetFile File, IReadOnlyDictionary<string, PodManifest> Manifests)
{
    /// <summary>Things the operator should know that do not stop a deploy (a secret file inside the repository).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public PodManifest ManifestOf(string pod) => Manifests[pod];

    public IEnumerable<(PodEntry Pod, PodManifest Manifest)> Pods => File.Pods.Select(p => (p, Manifests[p.Name]));
}
