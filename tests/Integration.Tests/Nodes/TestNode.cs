using System.Globalization;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// One running test node: a small "VPS" with systemd, sshd (root, key
/// <see cref="SshKeyPath"/>, host key in <see cref="KnownHostsPath"/>), podman
/// (runc, cgroupfs) and a disk of its own. Faults: <see cref="StopAsync"/> (the VPS
/// vanished), <see cref="RebootAsync"/>, <see cref="LinkDownAsync"/>, <see cref="FillDiskAsync"/>.
/// </summary>
public sealed class TestNode
{
    internal TestNode(string name, string ip)
    {
        Name = name;
        Ip = ip;
    }

    public string Name { get; }
    public string Ip { get; }
    public int Port => 22;
    public string User => "root";
    public string SshKeyPath => VzNode.SshKeyPath;
    public string KnownHostsPath => VzNode.KnownHostsPath;

    /// <summary>
    /// Starts (creating on first use) a node; the base image is built once and shared.
    /// <paramref name="memoryMb"/> caps the whole node's memory (its containers included), like a small VPS.
    /// </summary>
    public static async Task<TestNode> StartAsync(string name, bool withXdelta = true, int? memoryMb = null)
    {
        string[] args = withXdelta ? ["start", name] : ["start", name, "--no-xdelta"];
        var env = new Dictionary<string, string?>();
        if (memoryMb is { } mb)
            env["VZ_NODE_MEMORY_MB"] = mb.ToString(CultureInfo.InvariantCulture);
        var line = await VzNode.RunAsync(args, env);
        var parts = line.Split(' ');
        if (parts.Length != 2 || parts[0] != name)
            throw new InvalidOperationException($"vznode start {name} printed '{line}', expected '{name} IP'");
        return new TestNode(name, parts[1]);
    }

    /// <summary>The node's ssh host key ("ssh-ed25519 AAAA..."), as recorded in known_hosts.</summary>
    public Task<string> HostKeyAsync() => VzNode.RunAsync("host-key", Name);

    /// <summary>Kills the node's init and takes its link down: nothing answers any more.</summary>
    public Task StopAsync() => VzNode.RunAsync("stop", Name);

    /// <summary>Kills init, boots again and re-attaches the network; disk contents persist.</summary>
    public Task RebootAsync() => VzNode.RunAsync("reboot", Name);

    /// <summary>Starts a stopped node again (same disk, same address, same host key).</summary>
    public Task StartAgainAsync() => VzNode.RunAsync("start", Name);

    public Task LinkDownAsync() => VzNode.RunAsync("link-down", Name);
    public Task LinkUpAsync() => VzNode.RunAsync("link-up", Name);

    /// <summary>Fills the node's disk (its whole writable root and /var/lib/containers) to 0 bytes free.</summary>
    public Task FillDiskAsync() => VzNode.RunAsync("fill-disk", Name);
    public Task UnfillDiskAsync() => VzNode.RunAsync("unfill-disk", Name);

    /// <summary>Bytes the node's eth0 has received: what crossed its link, not file sizes.</summary>
    public async Task<long> RxBytesAsync() => long.Parse(await VzNode.RunAsync("rx-bytes", Name), CultureInfo.InvariantCulture);

    /// <summary>Bytes the node's eth0 has sent.</summary>
    public async Task<long> TxBytesAsync() => long.Parse(await VzNode.RunAsync("tx-bytes", Name), CultureInfo.InvariantCulture);

    /// <summary>Runs a shell command on the node over ssh (host key checking on); any exit code.</summary>
    public Task<ProcessResult> SshAsync(string command, byte[]? stdin = null, TimeSpan? timeout = null) =>
        VzNode.TryRunAsync(["ssh", Name, command], stdin, timeout ?? TimeSpan.FromMinutes(2));

    /// <summary>Runs a shell command on the node over ssh and returns its stdout; throws when it fails.</summary>
    public async Task<string> SshCheckedAsync(string command, byte[]? stdin = null)
    {
        var r = await SshAsync(command, stdin);
        if (!r.Ok)
            throw new InvalidOperationException($"ssh {Name} '{command}' exited {r.ExitCode}: {r.StdErr.Trim()}");
        return r.StdOut;
    }

    /// <summary>The ssh command line the harness uses, for tools that take one (ansible, rsync).</summary>
    public IReadOnlyList<string> SshOptions =>
    [
        "-F", "/dev/null", "-i", SshKeyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", $"UserKnownHostsFile={KnownHostsPath}", "-o", "StrictHostKeyChecking=yes",
    ];

    /// <summary>Stops the node and removes its disk, namespace and host key entry.</summary>
    public Task DestroyAsync() => VzNode.RunAsync("destroy", Name);

    public override string ToString() => $"{Name} ({Ip})";
}
