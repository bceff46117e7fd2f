using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>Bad releases on both generations: the node goes back to the version that ran, at once, and the rollout halts.</summary>
public sealed class RollbackTests
{
    const int Port = 18080;

    [Fact]
    public async Task AVersionThatExitsAtOnceOrFailsItsHttpCheckIsRolledBackTheOldAnswerKeepsComingAndTheExitCodeSaysSo()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Trixie, NodeOptions.Bookworm);
        using var fleet = new DeployFleet(nodes, ("web", [0, 1]));
        void Version(AppImage image, string rollout = "")
        {
            fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", image, Port));
            fleet.FleetFile(fleet.PodEntry("web", image, Port, "web", timeout: "15s"), rollout);
        }
        // A first release that fails its check (both nodes at once: Quadlet and vz's own unit) is
        // removed whole: no unit, no pod or container left behind (its stop's kube down read the
        // manifest before current went), and the next deploy starts clean.
        Version(app.Crash, "rollout:\n  canary: 0\n");
        var first = await fleet.DeployAsync();
        Assert.True(first.ExitCode == 7, first.ToString());
        foreach (var (n, node) in new[] { ("n1", nodes[0]), ("n2", nodes[1]) })
        {
            Assert.Equal("rolled-back", first.PodAction(n, "web"));
            Assert.Equal("", await NodeState.ExecAsync(node, "ls /etc/containers/systemd/vz-web.kube /etc/systemd/system/vz-web.service 2>/dev/null || true"));
            Assert.Equal("", await NodeState.ExecAsync(node, "podman pod ps -a --format '{{.Name}}' | grep -x web || true"));
            Assert.Equal("", await NodeState.ExecAsync(node, "podman ps -a --format '{{.Names}}' | grep '^web-' || true"));
            Assert.Equal("none", await NodeState.ExecAsync(node, "readlink /root/.vz/pods/web/current || echo none"));
        }

        Version(app.V1);
        var v1 = await fleet.DeployAsync();
        Assert.True(v1.ExitCode == 0, v1.ToString());
        // Release IDs differ per node (a Quadlet unit on trixie, vz's own on bookworm).
        var good = v1.Pod("n1", "web").GetProperty("release").GetString()!;
        var good2 = v1.Pod("n2", "web").GetProperty("release").GetString()!;

        // The canary (n1, trixie) gets the crashing version first; the rollout stops there.
        Version(app.Crash);
        var crash = await fleet.DeployAsync();
        Assert.True(crash.ExitCode == 7, crash.ToString());
        Assert.Equal("rolled-back", crash.Outcome);
        Assert.Equal("rolled-back", crash.NodeOutcome("n1"));
        Assert.Equal("rolled-back", crash.PodAction("n1", "web"));
        Assert.Matches("restarted|exited|is stopped|does not exist", crash.Pod("n1", "web").GetProperty("detail").GetString());
        Assert.Equal(good, crash.Pod("n1", "web").GetProperty("previous").GetString());
        Assert.Equal("untouched", crash.NodeOutcome("n2"));
        Assert.Equal(["n2"], crash.Untouched);
        Assert.Equal("n1", crash.Json.GetProperty("haltedBy").GetString());
        Assert.Contains("n1: web ", crash.Process.StdErr);
        Assert.Contains(": rolling back to " + good, crash.Process.StdErr);
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[0], Port));
        Assert.Equal("web v1", await Web.TryGetAsync(nodes[1], Port));
        Assert.Equal(good, await NodeOps.CurrentReleaseAsync(nodes[0], "web"));

        // Both nodes at once (no canary): a version that runs but answers 404.
        Version(app.NotFound, "rollout:\n  canary: 0\n");
        var notFound = await fleet.DeployAsync();
        Assert.Equal(["rolled-back", "rolled-back"], new[] { "n1", "n2" }.Select(notFound.NodeOutcome));
        Assert.All(new[] { "n1", "n2" }, n => Assert.Contains("404", notFound.Pod(n, "web").GetProperty("detail").GetString()));
        foreach (var (n, release) in new[] { (nodes[0], good), (nodes[1], good2) })
        {
            Assert.Equal("web v1", await Web.TryGetAsync(n, Port));
            Assert.Equal(release, await NodeOps.CurrentReleaseAsync(n, "web"));
            Assert.Equal("", await NodeOps.LeftoversAsync(n));
        }
        var history = await NodeState.ExecAsync(nodes[0], "cut -f3 /root/.vz/history.log");
        Assert.Equal(["rollback", "deploy", "rollback", "rollback"], history.Split('\n'));
        // After each rollback previous names what ran before the failed switch (nothing, here), never the failed release.
        Assert.Equal("none", await NodeState.ExecAsync(nodes[0], "readlink /root/.vz/pods/web/previous || echo none"));

        // Data the first version wrote survived both rollbacks (each restart of v1 appends a line).
        var starts = (await Web.TryGetAsync(nodes[0], Port, "/starts"))!.Split('\n');
        Assert.Equal("web v1", starts[0]);
        Assert.True(starts.Length >= 3, string.Join('|', starts));
    }
}
