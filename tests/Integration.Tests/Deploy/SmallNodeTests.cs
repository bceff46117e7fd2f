using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>A 512 MB node, the size vz is for: memory limits are real there.</summary>
public sealed class SmallNodeTests
{
    const int WebPort = 18080, ApiPort = 18081;

    /// <summary>
    /// The memory limit the kernel holds a pod's app container to, read from its cgroup (v1 here),
    /// over ssh: a login on the node sees cgroups from the node's own root, as podman does.
    /// </summary>
    static async Task<long> KernelLimitAsync(TestNode node, string container) =>
        long.Parse(await node.SshCheckedAsync(
            $"cat /sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/$(podman inspect --format '{{{{.State.Pid}}}}' {container})/cgroup)/memory.limit_in_bytes"));

    [Fact]
    public async Task TwoPodsLimitedTo128MbRunOnA512MbNodeAndAnUpdateOfOneSucceeds()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Trixie with { MemoryMb = 512 });
        var node = nodes[0];
        Assert.Equal(512, (await node.FactsAsync()).MemoryCapMb);
        using var fleet = new DeployFleet(nodes, ("small", [0]));
        void Write(AppImage web)
        {
            fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", web, WebPort, memory: "128Mi"));
            fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", app.Api, ApiPort, memory: "128Mi"));
            fleet.FleetFile(fleet.PodEntry("web", web, WebPort, "small") + fleet.PodEntry("api", app.Api, ApiPort, "small"));
        }
        Write(app.V1);
        var first = await fleet.DeployAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("web v1", await Web.TryGetAsync(node, WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(node, ApiPort));
        Assert.Equal(128L << 20, await KernelLimitAsync(node, "web-app"));
        Assert.Equal(128L << 20, await KernelLimitAsync(node, "api-app"));

        Write(app.V2);
        var update = await fleet.DeployAsync();
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal("updated", update.PodAction("n1", "web"));
        Assert.Equal("unchanged", update.PodAction("n1", "api"));
        Assert.Equal("web v2", await Web.TryGetAsync(node, WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(node, ApiPort));
        Assert.Equal(128L << 20, await KernelLimitAsync(node, "web-app"));
        // The node's whole memory (its cgroup: systemd, podman, both pods) stayed under its cap.
        var failcnt = long.Parse(await node.SshCheckedAsync("cat /sys/fs/cgroup/memory/memory.failcnt"));
        Assert.Equal(0, failcnt);
    }

    [Fact]
    public async Task PodsWhoseLimitsTheNodeCannotHoldAreRefusedBeforeAnythingChanges()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm with { MemoryMb = 512 });
        using var fleet = new DeployFleet(nodes, ("small", [0]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, WebPort, memory: "300Mi"));
        fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", app.Api, ApiPort, memory: "300Mi"));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, WebPort, "small") + fleet.PodEntry("api", app.Api, ApiPort, "small"));

        var run = await fleet.DeployAsync();

        Assert.True(run.ExitCode == 5, run.ToString());
        Assert.Contains("VZ4204", run.Node("n1").GetProperty("error").GetString());
        Assert.Contains("web 300 MiB + api 300 MiB", run.Node("n1").GetProperty("error").GetString());
        Assert.Equal("", await NodeState.ExecAsync(nodes[0], "podman ps -aq; ls /root/.vz/images 2>/dev/null; true"));
    }
}
