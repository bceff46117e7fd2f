using System.Text.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Push;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.FleetView;

[Collection(FleetViewCollection.Name)]
public sealed class PsTests(FleetViewFleet fx, ITestOutputHelper output)
{
    /// <summary>Kills the container's main process and waits until podman has restarted it <paramref name="count"/> times in all.</summary>
    static async Task KillAsync(TestNode node, string container, int count)
    {
        await NodeState.ExecAsync(node, $"kill -9 $(podman inspect --format '{{{{.State.Pid}}}}' {container})");
        var end = DateTime.UtcNow.AddSeconds(30);
        string state;
        while ((state = await NodeState.ExecAsync(node, $"podman inspect --format '{{{{.State.Status}}}} {{{{.RestartCount}}}}' {container}")) != $"running {count}" && DateTime.UtcNow < end)
            await Task.Delay(500);
        Assert.Equal($"running {count}", state);
    }

    static JsonElement Pod(JsonElement node, string pod) => node.GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == pod);

    static JsonElement Container(JsonElement pod, string name) => pod.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task PsListsTheLiveNodesPodsWithImageIdsAndRestartsAndTheStoppedNodeAsUnreachable()
    {
        var webId = NodeRepair.ImageId(ImageArchive.Open(fx.App.V1.Archive));
        var apiId = NodeRepair.ImageId(ImageArchive.Open(fx.App.Api.Archive));
        ViewRun ps;
        try
        {
            await KillAsync(fx.N1, "web-app", 1);
            await KillAsync(fx.N1, "web-app", 2);
            await FleetViewFleet.StopAsync(fx.N3);
            try
            {
                ps = await fx.RunAsync("ps", "--json");
                output.WriteLine((await fx.RunAsync("ps")).StdOut);
            }
            finally
            {
                await fx.N3.StartAgainAsync();
            }
        }
        finally
        {
            // Restarting the service gives web-app a fresh container (restart count 0); n3 starts its pods by itself.
            await NodeState.ExecAsync(fx.N1, "systemctl restart vz-web.service");
        }

        Assert.True(ps.ExitCode == 4, ps.ToString());
        var n1 = ps.Node("n1");
        var web1 = Pod(n1, "web");
        Assert.Equal("running", web1.GetProperty("state").GetString());
        var app = Container(web1, "web-app");
        Assert.Equal((webId, fx.App.V1.Image, 2), (app.GetProperty("imageId").GetString(), app.GetProperty("image").GetString(), app.GetProperty("restarts").GetInt32()));
        Assert.Equal(64L << 20, app.GetProperty("memoryLimit").GetInt64());
        Assert.True(app.GetProperty("memoryUsage").GetInt64() > 0);
        Assert.Equal("4.3.1", n1.GetProperty("podman").GetString());

        var n2 = ps.Node("n2");
        Assert.Equal(webId, Container(Pod(n2, "web"), "web-app").GetProperty("imageId").GetString());
        var api = Container(Pod(n2, "api"), "api-app");
        Assert.Equal((apiId, 0), (api.GetProperty("imageId").GetString(), api.GetProperty("restarts").GetInt32()));
        Assert.StartsWith("5.", n2.GetProperty("podman").GetString());
        Assert.True(n2.GetProperty("diskFree").GetInt64() > 0 && n2.GetProperty("memAvailable").GetInt64() > 0);

        var n3 = ps.Node("n3");
        Assert.False(n3.GetProperty("reachable").GetBoolean());
        Assert.Contains("VZ3013", n3.GetProperty("error").GetString());
        var seconds = ps.Json.GetProperty("nodes").EnumerateArray().Select(n => $"{n.GetProperty("node").GetString()} {n.GetProperty("seconds").GetDouble():0.00}s");
        output.WriteLine($"ps wall time {ps.Json.GetProperty("wallSeconds").GetDouble():0.00}s, asking one node after another: {ps.Json.GetProperty("sequentialSeconds").GetDouble():0.00}s ({string.Join(", ", seconds)})");

        var back = await fx.ConvergedAsync(TimeSpan.FromSeconds(90));
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal("web v1", await Web.WaitForAsync(fx.N1, FleetViewFleet.WebPort, "web v1", TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task PsTableNamesEachPodOnItsNode()
    {
        var ps = await fx.RunAsync("ps");
        Assert.True(ps.ExitCode == 0, ps.ToString());
        var lines = ps.StdOut.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("n1 ") && l.Contains(" web ") && l.Contains("web-app") && l.Contains(fx.App.V1.Image));
        Assert.Contains(lines, l => l.StartsWith("n2 ") && l.Contains(" api ") && l.Contains("api-app"));
        Assert.Contains(lines, l => l.StartsWith("n3 ") && l.Contains(" api ") && l.Contains(" running "));
        Assert.Equal("3 ok, 0 failed", lines.Last(l => l.Length > 0));
    }
}
