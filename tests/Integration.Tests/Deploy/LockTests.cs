using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>The node's deploy lock: two deploys at once, and one left behind by a deploy that is gone.</summary>
public sealed class LockTests
{
    const int Port = 18080;

    static DeployFleet Operator(TestFleet nodes, AppImage image)
    {
        var fleet = new DeployFleet(nodes, ("web", [0]));
        fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", image, Port));
        fleet.FleetFile(fleet.PodEntry("web", image, Port, "web"));
        return fleet;
    }

    /// <summary>Starts a deploy and returns once it holds the node's lock.</summary>
    static async Task<Task<DeployRun>> StartHoldingAsync(DeployFleet fleet, TestNode node)
    {
        var run = fleet.DeployAsync();
        while (await NodeState.ExecAsync(node, "cat /root/.vz/lock/owner 2>/dev/null || true") == "")
        {
            Assert.False(run.IsCompleted, $"the deploy ended before it took the lock: {(run.IsCompleted ? run.Result.ToString() : "")}");
            await Task.Delay(100);
        }
        return run;
    }

    [Fact]
    public async Task ASecondDeployEitherFailsNamingTheHolderOrWaitsAndTheNodeEndsInOneVersion()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Bookworm);
        var node = nodes[0];
        using var alice = Operator(nodes, app.V1);
        using var bob = Operator(nodes, app.V2);

        // Bob does not wait: he is told who holds the node.
        var first = await StartHoldingAsync(alice, node);
        var refused = await bob.DeployAsync("--lock-wait", "0s");
        var done = await first;
        Assert.True(done.ExitCode == 0, done.ToString());
        Assert.True(refused.ExitCode == 5, refused.ToString());
        var error = refused.Node("n1").GetProperty("error").GetString()!;
        Assert.Contains("VZ4301", error);
        Assert.Matches(@"another deploy holds the node's lock: \S+@\S+ since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(deploy web\)", error);
        Assert.Equal("web v1", await Web.TryGetAsync(node, Port));
        Assert.Equal(done.Pod("n1", "web").GetProperty("release").GetString(), await NodeOps.CurrentReleaseAsync(node, "web"));

        // Now Bob deploys and Alice, who waits, goes after him: her version is the one left running.
        var bobs = await StartHoldingAsync(bob, node);
        var alices = await alice.DeployAsync("--lock-wait", "2m");
        var bobDone = await bobs;
        Assert.True(bobDone.ExitCode == 0, bobDone.ToString());
        Assert.True(alices.ExitCode == 0, alices.ToString());
        Assert.Equal("updated", alices.NodeOutcome("n1"));
        Assert.Equal("web v1", await Web.TryGetAsync(node, Port));
        Assert.Equal(alices.Pod("n1", "web").GetProperty("release").GetString(), await NodeOps.CurrentReleaseAsync(node, "web"));
        Assert.Equal(["deploy", "update", "update"], (await NodeState.ExecAsync(node, "cut -f3 /root/.vz/history.log")).Split('\n'));
        Assert.Equal("", await NodeOps.LeftoversAsync(node));
    }

    [Fact]
    public async Task ALockLeftByAGoneDeployIsNamedAndLockReleaseBreaksIt()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Trixie);
        var node = nodes[0];
        using var fleet = Operator(nodes, app.V1);
        await NodeState.ExecAsync(node, "mkdir -p /root/.vz/lock && printf 'token=dead\\nwho=ghost@gone\\nwhen=2025-01-02T03:04:05Z\\nwhat=deploy web\\n' > /root/.vz/lock/owner");

        var blocked = await fleet.DeployAsync("--lock-wait", "1s");
        Assert.True(blocked.ExitCode == 5, blocked.ToString());
        Assert.Contains("ghost@gone since 2025-01-02T03:04:05Z (deploy web)", blocked.Node("n1").GetProperty("error").GetString());
        Assert.Contains("if that deploy is gone: vzbuild lock release n1", blocked.Node("n1").GetProperty("error").GetString());

        var release = await fleet.VzbuildAsync("lock", "release", "n1");
        Assert.True(release.Ok, release.StdErr);
        Assert.Equal("n1: broke the deploy lock of ghost@gone since 2025-01-02T03:04:05Z (deploy web)\n", release.StdOut);
        var again = await fleet.VzbuildAsync("lock", "release", "n1");
        Assert.Equal("n1: no deploy lock was held\n", again.StdOut);

        var deploy = await fleet.DeployAsync();
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Equal("web v1", await Web.TryGetAsync(node, Port));
    }
}
