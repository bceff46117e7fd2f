using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>A node that vanished does not stop the others, and is not taken for the canary.</summary>
public sealed class UnreachableTests
{
    const int Port = 18080;

    [Fact]
    public async Task AStoppedNodeIsReportedUnreachableWhileTheOthersDeployAndTheExitCodeSaysSomeFailed()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie, NodeOptions.Bookworm);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1, 2]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, Port));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, Port, "web"));
        // n1, first in the inventory and so the canary were it there, has vanished.
        await nodes[0].StopAsync();

        var run = await fleet.DeployAsync("--retries", "0");

        Assert.True(run.ExitCode == 4, run.ToString());
        Assert.Equal("some-failed", run.Outcome);
        Assert.Equal("unreachable", run.NodeOutcome("n1"));
        Assert.Contains("VZ3013", run.Node("n1").GetProperty("error").GetString());
        Assert.Equal(["updated", "updated"], new[] { "n2", "n3" }.Select(run.NodeOutcome));
        Assert.True(run.Node("n2").GetProperty("canary").GetBoolean());
        Assert.Null(run.Json.GetProperty("haltedBy").GetString());
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[1], Port));
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[2], Port));
    }
}
