using System.Net.Sockets;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>vz opens the ports a manifest publishes and closes the ones it no longer does, touching no other rule.</summary>
public sealed class FirewallTests
{
    const int Port = 18080, Extra = 18090;

    static string VzRules(TestNode node) =>
        node.Release == NodeRelease.Trixie ? "nft list table inet vz 2>/dev/null || true" : "iptables -S VZ-INPUT 2>/dev/null || true";

    static string ForeignRules(TestNode node) =>
        node.Release == NodeRelease.Trixie ? "nft list table inet foreign" : "iptables -S INPUT | grep -vx -- '-A INPUT -j VZ-INPUT'";

    static async Task<bool> AcceptsAsync(TestNode node, int port)
    {
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(node.Ip, port).WaitAsync(TimeSpan.FromSeconds(3));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task APortRemovedFromTheManifestIsClosedOnTheNextDeployAndOtherRulesStay()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]));
        // Someone else's rule on each node, in the node's own firewall tool.
        await NodeState.ExecAsync(nodes[0], "iptables -A INPUT -p tcp --dport 2222 -m comment --comment foreign -j ACCEPT");
        await NodeState.ExecAsync(nodes[1], "nft add table inet foreign && nft add chain inet foreign input '{ type filter hook input priority 0; policy accept; }' && nft add rule inet foreign input tcp dport 2222 accept");
        var before = await Task.WhenAll(nodes.Nodes.Select(n => NodeState.ExecAsync(n, ForeignRules(n))));

        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, Port, extraPorts: $"\n        - containerPort: 8081\n          hostPort: {Extra}"));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, Port, "web"), "rollout:\n  canary: 0\n");
        var open = await fleet.DeployAsync();
        Assert.True(open.ExitCode == 0, open.ToString());
        foreach (var (node, name) in nodes.Nodes.Zip(new[] { "n1", "n2" }))
        {
            Assert.Equal($"opened {Port}/tcp, {Extra}/tcp", open.Node(name).GetProperty("firewall").GetString());
            Assert.Equal("web v1", await Web.TryGetAsync(node, Extra));
            var rules = await NodeState.ExecAsync(node, VzRules(node));
            Assert.Contains($"dport {Port} ", rules + " ");
            Assert.Contains($"dport {Extra} ", rules + " ");
        }

        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, Port));
        var close = await fleet.DeployAsync();
        Assert.True(close.ExitCode == 0, close.ToString());
        for (var i = 0; i < 2; i++)
        {
            var node = nodes[i];
            Assert.Equal($"closed {Extra}/tcp", close.Node(DeployFleet.Name(i)).GetProperty("firewall").GetString());
            Assert.False(await AcceptsAsync(node, Extra), $"{node.Name} still accepts on {Extra}");
            Assert.Equal("web v1", await Web.TryGetAsync(node, Port));
            var rules = await NodeState.ExecAsync(node, VzRules(node));
            Assert.Contains($"dport {Port} ", rules + " ");
            Assert.DoesNotContain($"{Extra}", rules);
            Assert.Equal(before[i], await NodeState.ExecAsync(node, ForeignRules(node)));
        }
        // iptables: vz's chain is jumped to once from INPUT, beside the foreign rule.
        var input = await NodeState.ExecAsync(nodes[0], "iptables -S INPUT");
        Assert.Single(input.Split('\n'), l => l == "-A INPUT -j VZ-INPUT");
        Assert.Contains("--dport 2222", input);
    }
}
