using System.Text.Json;
using Vz.Deploy.Drift;
using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Transport;
using Vz.Deploy.Push;
using Vz.Deploy.Runc;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>ps, diff, logs, rollback and history on runc pods, as on podman pods.</summary>
[Collection(RuncCollection.Name)]
public sealed class RuncFleetViewTests(RuncFleet fx, ITestOutputHelper output)
{
    static JsonElement Web(JsonElement node) => node.GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "web");

    [Fact]
    public async Task PsShowsTheContainerFromRuncAndItsCgroupDiffNamesAStoppedPodAndAnEditedConfigAndDeployRepairsBoth()
    {
        Assert.Equal(0, (await fx.RunAsync("diff", "--json")).ExitCode);
        var ps = await fx.RunAsync("ps", "--json");
        output.WriteLine((await fx.RunAsync("ps")).StdOut);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        var id = RuncImage.Of(ImageArchive.Open(fx.App.V1.Archive)).ConfigDigest;
        foreach (var (name, _) in fx.Both)
        {
            var web = Web(ps.Node(name));
            Assert.Equal(("running", 0), (web.GetProperty("state").GetString(), web.GetProperty("serviceRestarts").GetInt32()));
            var app = web.GetProperty("containers").EnumerateArray().Single();
            Assert.Equal(("web-app", "running", "localhost/vzweb:1", id), (app.GetProperty("name").GetString(), app.GetProperty("state").GetString(),
                app.GetProperty("image").GetString(), app.GetProperty("imageId").GetString()));
            Assert.Equal(64L << 20, app.GetProperty("memoryLimit").GetInt64());
            Assert.InRange(app.GetProperty("memoryUsage").GetInt64(), 1, 64L << 20);
            Assert.True(app.GetProperty("uptimeSeconds").GetInt64() >= 0);
        }
        Assert.Null(ps.Node("n1").GetProperty("podman").GetString());

        // The status probe itself, on the node without podman: what ps and diff parse.
        var fleet = FleetValidator.Validate(FleetFileReader.Parse(File.ReadAllText(Path.Combine(fx.Fleet.Path, "vz.yaml")), Path.Combine(fx.Fleet.Path, "vz.yaml"), "/root"), LocalFleetSources.Instance);
        var facts = NodeFacts.Parse(await fx.N1.SshCheckedAsync(NodeFacts.Probe), "n1");
        var plan = PlatformDecisions.Decide(facts, new NodeSettings(), fleet.File.Pods.Single(), fleet.ManifestOf("web"), "n1");
        var raw = await fx.N1.SshCheckedAsync(NodeStatus.Script(NodeLayout.For(facts, new NodeSettings()), [new("web", plan, ["localhost/vzweb:1"])], detail: true));
        output.WriteLine(raw);
        var seen = Assert.Single(NodeStatus.Parse("n1", raw).Pods);
        var ctr = Assert.Single(seen.Containers);
        Assert.Equal(("web-app", "running", id, 64L << 20), (ctr.Name, ctr.State, ctr.ImageId, ctr.MemoryLimit));
        Assert.NotNull(ctr.Started);

        try
        {
            await NodeState.ExecAsync(fx.N1, "systemctl stop vz-web.service");
            await NodeState.ExecAsync(fx.N2, "sed -i 's/\"HOSTNAME=web\"/\"HOSTNAME=edited\"/' /root/.vz/pods/web/current/config.json");
            var diff = await fx.RunAsync("diff", "--json");
            output.WriteLine(string.Join('\n', diff.Lines));
            Assert.Equal(9, diff.ExitCode);
            Assert.Contains(("n1", "web", "pod-stopped"), diff.Findings);
            Assert.Equal([("n2", "web", "manifest-differs")], diff.Findings.Where(f => f.Node == "n2"));
            Assert.Contains("n1: pod web: container web-app is stopped", diff.Lines);
            var repair = await fx.Fleet.DeployAsync();
            Assert.True(repair.ExitCode == 0, repair.ToString());
            Assert.Equal(["updated", "updated"], new[] { "n1", "n2" }.Select(repair.NodeOutcome));
        }
        finally
        {
            await fx.BackToV1Async();
        }
        Assert.Equal(0, (await fx.RunAsync("diff", "--json")).ExitCode);
        Assert.Equal("\"HOSTNAME=web\",", await NodeState.ExecAsync(fx.N2, "grep -o '\"HOSTNAME=web\",' /root/.vz/pods/web/current/config.json"));
        foreach (var (_, node) in fx.Both)
            Assert.Equal("web v1", await Deploy.Web.TryGetAsync(node, RuncFleet.Port));
    }

    [Fact]
    public async Task LogsShowTheAppsLinesFromBothNodesAndRollbackGoesBackWithNothingUploadedAndHistoryListsIt()
    {
        var logs = await fx.RunAsync("logs", "web");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        var lines = logs.StdOut.Split('\n');
        foreach (var n in new[] { "n1", "n2" })
            Assert.Contains(lines, l => l.StartsWith(n + " ") && l.Contains(" web-app: app web v1 starting"));

        try
        {
            fx.UseVersion(fx.App.V2);
            var update = await fx.Fleet.DeployAsync();
            Assert.True(update.ExitCode == 0, update.ToString());
            var rx = await Task.WhenAll(fx.Both.Select(b => b.Node.RxBytesAsync()));
            var rollback = await fx.RunAsync("rollback", "--json");
            var onLink = (await Task.WhenAll(fx.Both.Select(b => b.Node.RxBytesAsync()))).Zip(rx, (a, b) => a - b).ToArray();
            output.WriteLine($"rollback: {onLink[0]} and {onLink[1]} bytes on the links");
            Assert.True(rollback.ExitCode == 0, rollback.ToString());
            foreach (var (name, node) in fx.Both)
            {
                Assert.Equal(("rolled-back", 0L), (rollback.Node(name).GetProperty("outcome").GetString(), rollback.Node(name).GetProperty("imageBytesSent").GetInt64()));
                Assert.Equal("web v1", await Deploy.Web.TryGetAsync(node, RuncFleet.Port));
                var history = await fx.RunAsync("history", "--pod", "web", "--json");
                var events = history.Node(name).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
                Assert.Equal("deploy", events[0]);
                Assert.Equal(["update", "rollback"], events.TakeLast(2));
            }
            Assert.All(onLink, b => Assert.True(b < fx.App.V1.Size / 10, $"{b} B crossed a link"));
        }
        finally
        {
            await fx.BackToV1Async();
        }
    }
}
