using Vz.Deploy.Push;

namespace Vz.Deploy.Provision;

/// <summary>What node add was asked to make of a node.</summary>
public sealed record ProvisionRequest
{
    /// <summary>The deploy user (validated by <see cref="DeployUser.Validate"/>).</summary>
    public required string User { get; init; }
    /// <summary>The operator's public key as an authorized_keys line: "ssh-ed25519 AAAA... comment".</summary>
    public required string PublicKey { get; init; }
    /// <summary>The port sshd answered on: kept open in firewalld.</summary>
    public int SshPort { get; init; } = 22;
    public bool SecurityUpdates { get; init; }
    /// <summary>vzpatch to copy where the distribution has no xdelta3 (Rocky/Alma/RHEL 8); null when none is at hand.</summary>
    public VzpatchBinary? Vzpatch { get; init; }

    /// <summary>The key's base64 blob: what identifies it in an authorized_keys file whatever its options or comment.</summary>
    public string KeyBlob => PublicKey.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var blob, ..] ? blob : PublicKey;
}
