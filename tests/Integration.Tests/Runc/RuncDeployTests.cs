using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>A runc pod deployed and updated: it answers, runs with nothing beside it, logs to the journal, updates by delta.</summary>
[Collection(RuncCollection.Name)]
public sealed class RuncDeployTests(RuncFleet fx, ITestOutputHelper output)
{
    [Fact]
    public async Task TheWebAppRunsAsARuncPodOnANodeWithoutPodmanSupervisedBySystemdAloneWithItsOutputInTheJournal()
    {
        Assert.Equal("no podman", await NodeState.ExecAsync(fx.N1, "command -v podman || echo no podman"));
        foreach (var (name, node) in fx.Both)
        {
            Assert.Equal("web v1", await Web.TryGetAsync(node, RuncFleet.Port));
            // The app alone, its init a child of the node's systemd: no runc, conmon, catatonit or podman stays resident.
            var processes = await NodeState.ExecAsync(node, "ps -e -o comm= | sort | uniq -c | awk '{print $2}' | tr '\\n' ' '");
            output.WriteLine($"{name}: {processes}");
            Assert.DoesNotContain(processes.Split(' '), p => p is "runc" or "conmon" or "catatonit" or "podman" or "pause");
            var main = await NodeState.ExecAsync(node, "systemctl show -p MainPID --value vz-web.service");
            Assert.Equal(main, (await RuncFleet.ContainerPidAsync(node)).ToString());
            Assert.Equal("1", await NodeState.ExecAsync(node, $"ps -o ppid= -p {main} | tr -d ' '"));
            Assert.Equal("active enabled", await NodeState.ExecAsync(node, "echo $(systemctl is-active vz-web.service) $(systemctl is-enabled vz-web.service)"));
            // The container's stdout and stderr, tagged as podman's journald driver tags them.
            var journal = await NodeState.ExecAsync(node, "journalctl --no-pager -o cat CONTAINER_NAME=web-app");
            Assert.Contains("app web v1 starting", journal.Split('\n'));
            Assert.Contains("app web v1 stderr", journal.Split('\n'));
            // The memory limit is the container's cgroup's (read over SSH: inside the node's cgroup namespace).
            var pid = await RuncFleet.ContainerPidAsync(node);
            Assert.Equal((64L << 20).ToString(), (await node.SshCheckedAsync($"cat /sys/fs/cgroup/memory$(awk -F: '$2 ~ /memory/ {{print $3}}' /proc/{pid}/cgroup)/memory.limit_in_bytes")).Trim());
            // Read-only root, the node's network.
            Assert.Contains("Read-only file system", await NodeState.ExecAsync(node, $"nsenter -t {pid} -m sh -c 'touch /x' 2>&1 || true"));
            Assert.Equal(await NodeState.ExecAsync(node, "readlink /proc/1/ns/net"), await NodeState.ExecAsync(node, $"readlink /proc/{pid}/ns/net"));
        }
    }

    [Fact]
    public async Task AnUpdateShipsADeltaUnpacksTheNewVersionOnceKeepsTheOldForRollbackAndASecondDeployRestartsNothing()
    {
        try
        {
            // Version 3: no other test ships it, so nothing of it is on the nodes: a delta against version 1.
            fx.UseVersion(fx.V3);
            var rx = await Task.WhenAll(fx.Both.Select(b => b.Node.RxBytesAsync()));
            var update = await fx.Fleet.DeployAsync();
            var onLink = (await Task.WhenAll(fx.Both.Select(b => b.Node.RxBytesAsync()))).Zip(rx, (a, b) => a - b).ToArray();
            output.WriteLine($"update: {onLink[0]} and {onLink[1]} bytes on the links; image {fx.V3.Size} bytes");
            Assert.True(update.ExitCode == 0, update.ToString());
            foreach (var (name, node) in fx.Both)
            {
                Assert.Equal("updated", update.PodAction(name, "web"));
                Assert.Equal("delta", update.Pod(name, "web").GetProperty("images")[0].GetProperty("mode").GetString());
                Assert.Equal("web v3", await Web.TryGetAsync(node, RuncFleet.Port));
                // Both versions unpacked, each once, beside their archives.
                Assert.Equal("2", await NodeState.ExecAsync(node, "ls -d /root/.vz/bundles/vzweb/sha256-*/rootfs | wc -l"));
            }
            Assert.All(onLink, b => Assert.True(b < fx.V3.Size / 10, $"{b} B crossed a link"));

            var started = await Task.WhenAll(fx.Both.Select(b => RuncFleet.ContainerPidAsync(b.Node)));
            var again = await fx.Fleet.DeployAsync();
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Equal(["unchanged", "unchanged"], new[] { "n1", "n2" }.Select(again.NodeOutcome));
            Assert.Equal(started, await Task.WhenAll(fx.Both.Select(b => RuncFleet.ContainerPidAsync(b.Node))));
        }
        finally
        {
            await fx.BackToV1Async();
        }
        foreach (var (_, node) in fx.Both)
            Assert.Equal("web v1", await Web.TryGetAsync(node, RuncFleet.Port));
    }
}
