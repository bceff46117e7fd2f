using System.Security.Cryptography;

namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// Nodes that look like a VPS just delivered: root with a password, password login
/// allowed, no podman, xdelta3 or sudo, and an offline package source that offers them.
/// </summary>
public sealed class FreshNodeTests
{
    /// <summary>Prints each package dpkg has installed, of those named.</summary>
    const string Installed = "for p in podman xdelta3 sudo; do dpkg-query -W -f='${Status}\\n' $p 2>/dev/null | grep -q '^install ok installed' && echo $p; done; true";

    const string AptInstall = "apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q";

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task FreshNodeLetsRootInWithItsPasswordOnlyAndLacksPodmanXdeltaAndSudo(NodeRelease release)
    {
        var password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Release = release, Kind = NodeKind.Fresh, RootPassword = password });
        var node = fleet[0];

        var byPassword = await node.SshWithPasswordAsync("echo in-by-password");
        var wrongPassword = await node.SshWithPasswordAsync("true", password: "not-" + password);
        var byKey = await node.SshWithKeyAsync("true");
        var installed = await node.SshCheckedAsync(Installed);

        Assert.Equal(password, node.RootPassword);
        Assert.Equal("in-by-password\n", byPassword.StdOut);
        Assert.Equal(255, wrongPassword.ExitCode);
        Assert.Equal(255, byKey.ExitCode);
        Assert.Contains("Permission denied", byKey.StdErr);
        Assert.Equal("", installed);
        Assert.True((await node.FactsAsync()).PasswordLogin);
    }

    [Theory]
    [InlineData(NodeRelease.Bookworm)]
    [InlineData(NodeRelease.Trixie)]
    public async Task FreshNodeInstallsPodmanXdeltaAndSudoFromItsPackageSourceAndRunsAContainer(NodeRelease release)
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Release = release, Kind = NodeKind.Fresh });
        var node = fleet[0];

        var install = await node.SshAsync($"{AptInstall} podman xdelta3 sudo", timeout: TimeSpan.FromMinutes(5));
        await node.SshCheckedAsync("podman import - localhost/vz-busybox:fresh >/dev/null", tar);
        // --network none: on bookworm, podman's default network needs iptables, which
        // podman does not pull in (a fresh Debian 12 lacks it; node add must install it).
        var output = await node.SshCheckedAsync("podman run --rm --network none localhost/vz-busybox:fresh /bin/busybox echo hello-from-fresh");

        Assert.True(install.Ok, install.StdOut + install.StdErr);
        Assert.Equal("podman\nxdelta3\nsudo\n", await node.SshCheckedAsync(Installed));
        Assert.Equal("hello-from-fresh\n", output);
    }

    [Fact]
    public async Task APackageSourceLackingPodmanFailsTheInstallUntilItIsRestored()
    {
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Kind = NodeKind.Fresh });
        var node = fleet[0];
        var install = $"{AptInstall} --no-install-recommends podman";

        await node.RepoHideAsync("podman");
        var lacking = await node.SshAsync(install, timeout: TimeSpan.FromMinutes(5));
        var stillByPassword = await node.SshWithPasswordAsync("true");
        await node.RepoRestoreAsync();
        var restored = await node.SshAsync(install, timeout: TimeSpan.FromMinutes(5));

        Assert.Equal(100, lacking.ExitCode);
        Assert.Contains("Package 'podman' has no installation candidate", lacking.StdErr);
        Assert.Equal(0, stillByPassword.ExitCode);
        Assert.True(restored.Ok, restored.StdOut + restored.StdErr);
        Assert.StartsWith("podman version 4.3.", await node.SshCheckedAsync("podman --version"));
    }

    [Fact]
    public async Task WhatChangedOnAFreshNodeStaysChangedAfterReboot()
    {
        await using var fleet = await TestFleet.StartAsync(new NodeOptions { Kind = NodeKind.Fresh });
        var node = fleet[0];
        const string newPassword = "changed-on-the-node";

        // The harness sets the password and sshd's settings at the first boot only.
        await node.SshCheckedAsync($"echo 'root:{newPassword}' | chpasswd");
        await node.RebootAsync();
        var oldPassword = await node.SshWithPasswordAsync("true");
        var changed = await node.SshWithPasswordAsync("grep -c '^PermitRootLogin yes' /etc/ssh/sshd_config", password: newPassword);

        Assert.Equal(255, oldPassword.ExitCode);
        Assert.Equal("1\n", changed.StdOut);
    }
}
