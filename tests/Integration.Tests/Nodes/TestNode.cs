using System.Globalization;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// One running test node: a small "VPS" (Debian 12 or 13) with systemd, sshd (host key in
/// <see cref="KnownHostsPath"/>; root by key <see cref="SshKeyPath"/>, or by
/// <see cref="RootPassword"/> on a fresh node), podman (runc, cgroupfs) unless fresh or
/// without podman, and a disk of its own. Faults: <see cref="StopAsync"/> (the VPS
/// vanished), <see cref="RebootAsync"/>, <see cref="LinkDownAsync"/>, <see cref="FillDiskAsync"/>,
/// <see cref="RepoHideAsync"/>.
/// </summary>
public sealed class TestNode
{
    internal TestNode(string name, string ip, NodeOptions options, string? rootPassword)
    {
        Name = name;
        Ip = ip;
        Options = options;
        RootPassword = rootPassword;
    }

    public string Name { get; }
    public string Ip { get; }

    /// <summary>How the node was started (release, kind, xdelta, memory cap).</summary>
    public NodeOptions Options { get; }
    public NodeRelease Release => Options.Release;
    public NodeKind Kind => Options.Kind;

    /// <summary>Root's password on a fresh node (as vznode set it at its first boot); null on other nodes.</summary>
    public string? RootPassword { get; }
    public int Port => 22;
    public string User => "root";
    public string SshKeyPath => VzNode.SshKeyPath;
    public string KnownHostsPath => VzNode.KnownHostsPath;

    /// <summary>
    /// Starts (creating on first use) a node; the base image is built once and shared.
    /// <paramref name="memoryMb"/> caps the whole node's memory (its containers included), like a small VPS.
    /// </summary>
    public static Task<TestNode> StartAsync(string name, bool withXdelta = true, int? memoryMb = null) =>
        StartAsync(name, NodeOptions.Bookworm with { WithXdelta = withXdelta, MemoryMb = memoryMb });

    /// <summary>Starts (creating on first use) a node of the given release and kind.</summary>
    public static async Task<TestNode> StartAsync(string name, NodeOptions options)
    {
        var line = await VzNode.RunAsync(["start", name, .. options.StartArgs()], options.StartEnvironment());
        var parts = line.Split(' ');
        if (parts.Length != 2 || parts[0] != name)
            throw new InvalidOperationException($"vznode start {name} printed '{line}', expected '{name} IP'");
        var password = options.Kind == NodeKind.Fresh ? await VzNode.RunAsync("password", name) : null;
        return new TestNode(name, parts[1], options, password);
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

    /// <summary>
    /// Runs a shell command on the node over ssh (host key checking on; the test key, then on a
    /// fresh node its root password); any exit code.
    /// </summary>
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

    /// <summary>
    /// Logs in with a password only (no key offered), host key checking on: how `node add`
    /// first reaches a fresh VPS. Defaults to root and <see cref="RootPassword"/>.
    /// </summary>
    public Task<ProcessResult> SshWithPasswordAsync(string command, string? password = null, string user = "root")
    {
        var pw = password ?? RootPassword
            ?? throw new InvalidOperationException($"{Name} is not a fresh node: it has no root password");
        return ProcessRunner.RunAsync(new ProcessSpec("sshpass",
        [
            "-e", "ssh", "-F", "/dev/null", "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password",
            "-o", "NumberOfPasswordPrompts=1", "-o", $"UserKnownHostsFile={KnownHostsPath}",
            "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5", $"{user}@{Ip}", command,
        ])
        {
            Environment = new Dictionary<string, string?> { ["SSHPASS"] = pw },
            Timeout = TimeSpan.FromMinutes(2),
        });
    }

    /// <summary>Logs in with the test key only (never a password), host key checking on.</summary>
    public Task<ProcessResult> SshWithKeyAsync(string command, string user = "root") =>
        ProcessRunner.RunAsync(new ProcessSpec("ssh", [.. SshOptions, $"{user}@{Ip}", command])
        {
            Timeout = TimeSpan.FromMinutes(2),
        });

    /// <summary>Release, kind, cgroup layout and memory cap, as vznode reports them.</summary>
    public async Task<NodeFacts> FactsAsync() => NodeFacts.Parse(await VzNode.RunAsync("facts", Name));

    /// <summary>
    /// The node's package source stops offering these packages (the node sees it after
    /// `apt-get update`): "the package source lacks podman".
    /// </summary>
    public Task RepoHideAsync(params string[] packages) => VzNode.RunAsync(["repo-hide", Name, .. packages]);

    /// <summary>The node's package source offers every package again.</summary>
    public Task RepoRestoreAsync() => VzNode.RunAsync("repo-restore", Name);

    /// <summary>Stops the node and removes its disk, namespace and host key entry.</summary>
    public Task DestroyAsync() => VzNode.RunAsync("destroy", Name);

    public override string ToString() => $"{Name} ({Ip})";
}
