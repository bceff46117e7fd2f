using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>A node without podman takes runc pods only: a podman pod placed there is refused before anything on it changes.</summary>
[Collection(RuncCollection.Name)]
public sealed class RuncPlacementTests(RuncFleet fx)
{
    [Fact]
    public async Task APodmanPodPlacedOnANodeWithoutPodmanIsRefusedWithAClearMessageAndTheNodeIsLeftAsItWas()
    {
        var before = await NodeOps.CurrentReleaseAsync(fx.N1, "web");
        // A fleet file of its own, placing a podman pod on n1 alone.
        fx.Fleet.Write("hosts-n1.ini", $"[bare]\nn1 ansible_host={fx.N1.Ip} ansible_user={fx.N1.User}\n");
        fx.Fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", fx.App.Api, 18081));
        fx.Fleet.Write("api.vz.yaml", "inventory: hosts-n1.ini\npods:\n" + fx.Fleet.PodEntry("api", fx.App.Api, 18081, "bare"));
        var deploy = await fx.Fleet.DeployAsync("-c", "api.vz.yaml");
        Assert.True(deploy.ExitCode == 5, deploy.ToString());
        Assert.Equal("failed", deploy.NodeOutcome("n1"));
        var error = deploy.Node("n1").GetProperty("error").GetString()!;
        Assert.Contains("VZ4201", error);
        Assert.Contains("n1: pod api: the node has no podman: only pods with runtime: runc can run there", error);
        Assert.Equal(before, await NodeOps.CurrentReleaseAsync(fx.N1, "web"));
        Assert.Equal("no", await NodeState.ExecAsync(fx.N1, "test -e /root/.vz/pods/api || test -e /root/.vz/images/vzapi && echo yes || echo no"));
        Assert.Equal(0, (await fx.RunAsync("diff", "--json")).ExitCode);
    }
}
