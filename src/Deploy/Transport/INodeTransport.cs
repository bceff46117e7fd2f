namespace Vz.Deploy.Transport;

/// <summary>
/// Settings that belong to a node rather than to vz: where it keeps images, and how its podman
/// runs (real nodes use crun with systemd cgroups; the loopback test node uses runc and cgroupfs).
/// </summary>
public sealed record NodeSettings
{
    public const string DefaultStore = "~/.vz/images";

    /// <summary>Image store on the node; "~/" is the login user's home.</summary>
    public string Store { get; init; } = DefaultStore;
    /// <summary>podman --runtime, or null for the node's default.</summary>
    public string? Runtime { get; init; }
    /// <summary>podman --cgroup-manager, or null for the node's default.</summary>
    public string? CgroupManager { get; init; }
    /// <summary>Environment for podman on the node (e.g. CONTAINERS_CONF), set with an env prefix.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where and as whom to reach one node, after ssh config and inventory are applied.</summary>
public sealed record NodeTarget(string Name, string Host, int Port, string User, IReadOnlyList<string> IdentityFiles)
{
    public NodeSettings Settings { get; init; } = new();

    public override string ToString() => Name;
}

/// <summary>
/// The seam between node logic (push, and the fleet commands on the runner) and the wire: run a
/// shell command on a node, and write bytes into a node file at an offset. SSH implements it
/// (<see cref="Ssh.SshConnector"/>); tests fake it or wrap it to break links or corrupt bytes in
/// flight. A broken link is a <see cref="TransportException"/>; nothing else is one.
/// </summary>
public interface INodeTransport : IAsyncDisposable
{
    /// <summary>Runs a command through the node's login shell; returns its exit code and output.</summary>
    Task<ProcessResult> ExecAsync(string command, CancellationToken ct);

    /// <summary>
    /// Writes source (from its current position) into remotePath starting at remoteOffset, creating
    /// the file if needed; progress gets the bytes written so far in this call.
    /// </summary>
    Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct);
}

/// <summary>
/// A link that broke or never came up (node unreachable, connection lost mid-command or mid-upload):
/// the one failure the fleet runner retries. Transports throw it, and nothing of their wire library;
/// a refused host key or key, or bad input, is a plain <see cref="VzException"/> and is not retried.
/// </summary>
public sealed class TransportException(string message, Exception? inner = null)
    : VzException(DeployErrors.LinkFailed, message, inner: inner);

/// <summary>Opens a transport to a node. One connection per node per attempt.</summary>
public interface INodeConnector
{
    Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct);
}
