using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>What the nodes do alone, with no vz command: restart a killed container, come back after a reboot.</summary>
public sealed class SupervisionTests
{
    const int Port = 18080;

    [Fact]
    public async Task AKilledContainerIsRestartedByTheNodeWithItsOutputInTheJournalAndAfterARebootThePodsAnswerWithTheirData()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, Port));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, Port, "web"), "rollout:\n  canary: 0\n");
        var deploy = await fleet.DeployAsync();
        Assert.True(deploy.ExitCode == 0, deploy.ToString());

        foreach (var node in nodes.Nodes)
        {
            var pid = await NodeState.ExecAsync(node, "podman inspect --format '{{.State.Pid}}' web-app");
            await NodeState.ExecAsync(node, $"kill -KILL {pid}");
            var restarted = "";
            for (var i = 0; i < 60 && restarted != "running 1"; i++, await Task.Delay(500))
                restarted = await NodeState.ExecAsync(node, "podman inspect --format '{{.State.Status}} {{.RestartCount}}' web-app");
            Assert.Equal("running 1", restarted);
            Assert.Equal("web v1", await Web.WaitForAsync(node, Port, "web v1", TimeSpan.FromSeconds(30)));
            // Both starts' stdout and stderr, and httpd's request log, are in the node's journal.
            var journal = await NodeState.ExecAsync(node, "journalctl --no-pager -o cat CONTAINER_NAME=web-app");
            Assert.Equal(2, journal.Split('\n').Count(l => l == "app web v1 starting"));
            Assert.Equal(2, journal.Split('\n').Count(l => l == "app web v1 stderr"));
            Assert.Contains("response:200", journal);
        }

        await Task.WhenAll(nodes.Nodes.Select(NodeOps.RebootAsync));
        foreach (var node in nodes.Nodes)
        {
            Assert.Equal("web v1", await Web.WaitForAsync(node, Port, "web v1", TimeSpan.FromSeconds(90)));
            // v1's first start, the restart after the kill, the start after the reboot: one volume throughout.
            Assert.Equal("web v1\nweb v1\nweb v1", await Web.TryGetAsync(node, Port, "/starts"));
            Assert.Equal("active\n" + (node.Release == NodeRelease.Trixie ? "generated" : "enabled"),
                await NodeState.ExecAsync(node, "systemctl is-active vz-web.service; systemctl is-enabled vz-web.service"));
            // vz's firewall rules came back with vz-firewall.service.
            Assert.Contains("18080", await NodeState.ExecAsync(node, node.Release == NodeRelease.Trixie ? "nft list table inet vz" : "iptables -S VZ-INPUT"));
            Assert.Equal("", await NodeOps.LeftoversAsync(node));
        }

        var again = await fleet.DeployAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["unchanged", "unchanged"], new[] { "n1", "n2" }.Select(again.NodeOutcome));
    }
}
