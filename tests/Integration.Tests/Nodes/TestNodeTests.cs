using System.Security.Cryptography;

namespace Vz.Integration.Tests.Nodes;

/// <summary>The harness itself: nodes start, answer ssh as themselves, run podman and Ansible.</summary>
public sealed class TestNodeTests
{
    [Fact]
    public async Task NodeStartsAndAnswersSshAsItsOwnHost()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];

        var output = await node.SshCheckedAsync("hostname; systemctl is-system-running; xdelta3 -V 2>&1 | head -n1");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(node.Name, lines[0]);
        Assert.Equal("running", lines[1]);
        Assert.StartsWith("Xdelta version 3", lines[2]);
        var knownHosts = await File.ReadAllLinesAsync(node.KnownHostsPath);
        Assert.Contains($"{node.Ip} {await node.HostKeyAsync()}", knownHosts);
    }

    [Fact]
    public async Task SshRefusesANodeWhoseHostKeyIsNotKnown()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var emptyKnownHosts = Path.Combine(Path.GetTempPath(), $"vz-harness-kh-{fleet.Prefix}");
        await File.WriteAllTextAsync(emptyKnownHosts, "");
        try
        {
            var args = node.SshOptions.Select(o => o.StartsWith("UserKnownHostsFile=") ? $"UserKnownHostsFile={emptyKnownHosts}" : o);
            var r = await ProcessRunner.RunAsync(new ProcessSpec("ssh", [.. args, $"root@{node.Ip}", "true"]));

            Assert.Equal(255, r.ExitCode);
            Assert.Contains("Host key verification failed", r.StdErr);
        }
        finally
        {
            File.Delete(emptyKnownHosts);
        }
    }

    [Fact]
    public async Task NodeStartedWithoutXdeltaLacksTheBinary()
    {
        await using var fleet = await TestFleet.StartAsync(1, withXdelta: false);

        var r = await fleet[0].SshAsync("command -v xdelta3");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.StdOut);
    }

    [Fact]
    public async Task PodmanRunsABusyboxContainerInsideTheNode()
    {
        var tar = await BusyboxImage.RootfsTarAsync();
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];

        await node.SshCheckedAsync("podman import - localhost/vz-busybox:test >/dev/null", tar);
        var output = await node.SshCheckedAsync("podman run --rm localhost/vz-busybox:test /bin/busybox echo hello-from-container");

        Assert.Equal("hello-from-container\n", output);
    }

    [Fact]
    public async Task TwoNodesStartInParallelAndAnsiblePingsBothWithHostKeyChecking()
    {
        await using var fleet = await TestFleet.StartAsync(2);
        Assert.NotEqual(fleet[0].Ip, fleet[1].Ip);
        var inventory = await fleet.WriteInventoryAsync(Path.Combine(Path.GetTempPath(), $"vz-harness-{fleet.Prefix}.ini"));
        try
        {
            var r = await ProcessRunner.RunAsync(new ProcessSpec("ansible", ["-i", inventory, "all", "-m", "ping"])
            {
                Environment = new Dictionary<string, string?> { ["ANSIBLE_HOST_KEY_CHECKING"] = "True" },
                Timeout = TimeSpan.FromMinutes(2),
            });

            Assert.True(r.Ok, r.StdOut + r.StdErr);
            var output = r.StdOut + r.StdErr;
            Assert.True(output.Contains($"{fleet[0].Name} | SUCCESS") && output.Contains($"{fleet[1].Name} | SUCCESS"), output);
        }
        finally
        {
            File.Delete(inventory);
        }
    }

    [Fact]
    public async Task RxBytesCountsWhatCrossesTheNodesLink()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        // Random bytes: nothing on the way can shrink them.
        var payload = RandomNumberGenerator.GetBytes(2 << 20);

        var before = await node.RxBytesAsync();
        await node.SshCheckedAsync("cat > /dev/null", payload);
        var received = await node.RxBytesAsync() - before;

        Assert.InRange(received, payload.Length, payload.Length * 11L / 10);
    }
}
