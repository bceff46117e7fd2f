using System.Diagnostics;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Deploy;

/// <summary>The operator's link drops between a switch and its confirmation: the node goes back by itself.</summary>
public sealed class LinkCutTests(ITestOutputHelper output)
{
    const int Port = 18080;

    [Fact]
    public async Task ALinkCutRightAfterTheSwitchFailsTheNodeAndItsDeadmanRestoresTheOldVersionByItself()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]));
        // The shortest dead-man the fleet file allows: health.timeout + the unit's start timeout (2m) + 1s.
        void Version(AppImage image)
        {
            fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", image, Port));
            fleet.FleetFile(fleet.PodEntry("web", image, Port, "web", timeout: "10s", extra: "\n    deadman: 2m11s"), "rollout:\n  canary: 0\n");
        }
        Version(app.V1);
        var v1 = await fleet.DeployAsync();
        Assert.True(v1.ExitCode == 0, v1.ToString());
        var old = new[] { "n1", "n2" }.Select(n => v1.Pod(n, "web").GetProperty("release").GetString()!).ToArray();

        Version(app.V2);
        var clock = Stopwatch.StartNew();
        var deploy = fleet.DeployAsync();
        // Each node's link goes down the moment its current link leaves v1 (the switch), while vz checks health.
        var cuts = await Task.WhenAll(nodes.Nodes.Select(async (node, i) =>
        {
            while (await NodeOps.CurrentReleaseAsync(node, "web") == old[i])
            {
                Assert.False(deploy.IsCompleted, $"the deploy ended before {node.Name} switched: {(deploy.IsCompleted ? deploy.Result.ToString() : "")}");
                await Task.Delay(150);
            }
            await node.LinkDownAsync();
            var at = clock.Elapsed;
            // Cut off: the new version comes up on the node, unconfirmed, its dead-man armed.
            var local = "";
            for (var t = 0; t < 40 && local != "web v2"; t++, await Task.Delay(250))
                local = await NodeState.ExecAsync(node, $"python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:{Port}/\", timeout=2).read().decode().strip())' 2>/dev/null || true");
            Assert.Equal("web v2", local);
            Assert.Contains("vz-deadman-web.timer", await NodeState.ExecAsync(node, "systemctl list-timers --all --no-legend vz-deadman-web.timer"));
            return at;
        }));
        var run = await deploy;
        output.WriteLine($"links cut at {string.Join(", ", cuts.Select(c => $"{c.TotalSeconds:0.0}s"))}; deploy ended at {clock.Elapsed.TotalSeconds:0.0}s");

        Assert.True(run.ExitCode == 5, run.ToString());
        foreach (var n in new[] { "n1", "n2" })
        {
            Assert.Equal("failed", run.NodeOutcome(n));
            Assert.Contains("dead-man", run.Node(n).GetProperty("error").GetString());
        }
        // The deploy noticed the cut well before the dead-man fired (2m11s after it was armed).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(100), $"the deploy took {clock.Elapsed} to give up on the cut links");

        foreach (var node in nodes.Nodes)
            await node.LinkUpAsync();
        var answers = await Task.WhenAll(nodes.Nodes.Select(n => Web.WaitForAsync(n, Port, "web v1", TimeSpan.FromMinutes(3))));
        output.WriteLine($"old answer back at {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.Equal(new string?[] { "web v1", "web v1" }, answers);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(old[i], await NodeOps.CurrentReleaseAsync(nodes[i], "web"));
            Assert.Contains("\tauto-rollback\t" + old[i] + "\tnode\tnot confirmed: restored from ", await NodeState.ExecAsync(nodes[i], "cat /root/.vz/history.log"));
            // The deploy that lost its link still holds the lock; lock release breaks it, naming the holder.
            var release = await fleet.VzbuildAsync("lock", "release", DeployFleet.Name(i));
            Assert.True(release.Ok, release.StdErr);
            Assert.Contains($"{DeployFleet.Name(i)}: broke the deploy lock of ", release.StdOut);
            Assert.Contains("(deploy web)", release.StdOut);
            Assert.Equal("", await NodeOps.LeftoversAsync(nodes[i]));
        }
    }
}
