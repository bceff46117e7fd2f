using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Deploy;

/// <summary>
/// Three nodes of two generations (bookworm with vz's own unit, trixie with Quadlet) in two
/// groups: web on n1 and n2, api on n2 and n3, so n2 runs both pods.
/// </summary>
public sealed class MixedFleetTests(ITestOutputHelper output)
{
    const int WebPort = 18080, ApiPort = 18081;

    [Fact]
    public async Task EachNodeAnswersFromItsPodsASecondDeployRestartsNothingAndAOneFileChangeCrossesTheLinksAsADelta()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie, NodeOptions.Bookworm);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]), ("api", [1, 2]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V1, WebPort));
        fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", app.Api, ApiPort));
        fleet.FleetFile(fleet.PodEntry("web", app.V1, WebPort, "web") + fleet.PodEntry("api", app.Api, ApiPort, "api"));

        var first = await fleet.DeployAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("all-ok", first.Outcome);
        Assert.Equal(["updated", "updated", "updated"], new[] { "n1", "n2", "n3" }.Select(first.NodeOutcome));
        Assert.Equal("deployed", first.PodAction("n2", "api"));
        Assert.True(first.Node("n1").GetProperty("canary").GetBoolean());
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[0], WebPort));
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[1], WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(nodes[1], ApiPort));
        Assert.Equal("api v1", await Web.TryGetAsync(nodes[2], ApiPort));
        Assert.Null(await Web.TryGetAsync(nodes[2], WebPort));
        foreach (var n in nodes.Nodes)
            Assert.Equal("", await NodeOps.LeftoversAsync(n));

        var started = await Task.WhenAll(nodes.Nodes.Select(n => NodeOps.StartTimesAsync(n, n == nodes[2] ? "api" : "web")));
        var second = await fleet.DeployAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(["unchanged", "unchanged", "unchanged"], new[] { "n1", "n2", "n3" }.Select(second.NodeOutcome));
        Assert.Equal(0, second.Node("n2").GetProperty("bytesSent").GetInt64());
        Assert.Equal(started, await Task.WhenAll(nodes.Nodes.Select(n => NodeOps.StartTimesAsync(n, n == nodes[2] ? "api" : "web"))));

        // Version 2 differs from 1 in one file of its image.
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", app.V2, WebPort));
        fleet.FleetFile(fleet.PodEntry("web", app.V2, WebPort, "web") + fleet.PodEntry("api", app.Api, ApiPort, "api"));
        var rx = await Task.WhenAll(nodes.Nodes.Select(n => n.RxBytesAsync()));
        var update = await fleet.DeployAsync();
        var onLink = (await Task.WhenAll(nodes.Nodes.Select(n => n.RxBytesAsync()))).Zip(rx, (after, before) => after - before).ToArray();

        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal(["updated", "updated", "unchanged"], new[] { "n1", "n2", "n3" }.Select(update.NodeOutcome));
        Assert.Equal("unchanged", update.PodAction("n2", "api"));
        Assert.Equal("delta", update.Pod("n1", "web").GetProperty("images")[0].GetProperty("mode").GetString());
        Assert.Equal("web v2", await Web.TryGetAsync(nodes[0], WebPort));
        Assert.Equal("web v2", await Web.TryGetAsync(nodes[1], WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(nodes[1], ApiPort));
        output.WriteLine($"image {app.V2.Size} B; bytes on the links during the update: {string.Join(", ", onLink)}");
        Assert.True(onLink[0] * 10 < app.V2.Size && onLink[1] * 10 < app.V2.Size, $"{onLink[0]} and {onLink[1]} B crossed the links for a {app.V2.Size} B image");
        // Data the first version wrote to its volume is still there.
        Assert.Equal("web v1\nweb v2", await Web.TryGetAsync(nodes[0], WebPort, "/starts"));
        foreach (var n in nodes.Nodes)
            Assert.Equal("", await NodeOps.LeftoversAsync(n));

        // Version 3: version 1 is no longer kept (current 3, previous 2), so its image goes; on n1 it
        // was untagged by hand first, as a load under a tag already taken leaves the old image.
        const string Images = "podman images --format '{{.Repository}}:{{.Tag}}' | grep -v /podman-pause: | sort | tr '\\n' ' '";
        Assert.Equal("localhost/vzweb:1 localhost/vzweb:2", (await NodeState.ExecAsync(nodes[1], Images)).Replace("localhost/vzapi:1 ", ""));
        await NodeState.ExecAsync(nodes[0], "podman image untag localhost/vzweb:1");
        var v3 = app.Another("localhost/vzweb:gc3", "web v3");
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", v3, WebPort));
        fleet.FleetFile(fleet.PodEntry("web", v3, WebPort, "web") + fleet.PodEntry("api", app.Api, ApiPort, "api"));
        var third = await fleet.DeployAsync();
        Assert.True(third.ExitCode == 0, third.ToString());
        Assert.Equal("web v3", await Web.TryGetAsync(nodes[1], WebPort));
        string Notes(string n) => string.Join('|', third.Node(n).GetProperty("notes").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("removed old images no kept release names: 1 untagged", Notes("n1"));
        Assert.Contains("removed old images no kept release names: localhost/vzweb:1", Notes("n2"));
        Assert.Equal("localhost/vzweb:2 localhost/vzweb:gc3", await NodeState.ExecAsync(nodes[0], Images));
        Assert.Equal("localhost/vzapi:1 localhost/vzweb:2 localhost/vzweb:gc3", await NodeState.ExecAsync(nodes[1], Images));
        Assert.Equal("localhost/vzapi:1", await NodeState.ExecAsync(nodes[2], Images));
        Assert.Equal("", await NodeState.ExecAsync(nodes[0], "podman images --filter dangling=true -q"));
    }
}
