using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>Bad releases of a runc pod: the node goes back to the version that ran, at once, through the same restore script the dead-man runs.</summary>
[Collection(RuncCollection.Name)]
public sealed class RuncRollbackTests(RuncFleet fx, ITestOutputHelper output)
{
    [Fact]
    public async Task AVersionThatExitsAtOnceOrFailsItsHttpCheckIsRolledBackAndTheOldAnswerKeepsComing()
    {
        try
        {
            var good = await Task.WhenAll(fx.Both.Select(b => NodeOps.CurrentReleaseAsync(b.Node, "web")));

            // The canary (n1, without podman) gets the crashing version first; the rollout stops there.
            fx.UseVersion(fx.App.Crash, rollout: "", timeout: "15s");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var crash = await fx.Fleet.DeployAsync();
            output.WriteLine($"crashing version rolled back after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(crash.ExitCode == 7, crash.ToString());
            Assert.Equal(("rolled-back", "rolled-back", "untouched"), (crash.NodeOutcome("n1"), crash.PodAction("n1", "web"), crash.NodeOutcome("n2")));
            Assert.Matches("restarted|failed|is activating|is inactive", crash.Pod("n1", "web").GetProperty("detail").GetString());
            Assert.Equal(good[0], await NodeOps.CurrentReleaseAsync(fx.N1, "web"));
            Assert.Equal("web v1", await Web.WaitForAsync(fx.N1, RuncFleet.Port, "web v1", TimeSpan.FromSeconds(20)));
            // The crashing version's output is in the journal too.
            Assert.Contains("crashing", await NodeState.ExecAsync(fx.N1, "journalctl --no-pager -o cat CONTAINER_NAME=web-app"));

            // Both nodes at once: a version that runs but answers 404.
            fx.UseVersion(fx.App.NotFound, timeout: "15s");
            clock.Restart();
            var notFound = await fx.Fleet.DeployAsync();
            output.WriteLine($"404 version rolled back after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(notFound.ExitCode == 7, notFound.ToString());
            foreach (var ((name, node), release) in fx.Both.Zip(good))
            {
                Assert.Equal("rolled-back", notFound.NodeOutcome(name));
                Assert.Contains("404", notFound.Pod(name, "web").GetProperty("detail").GetString());
                Assert.Equal("web v1", await Web.WaitForAsync(node, RuncFleet.Port, "web v1", TimeSpan.FromSeconds(20)));
                Assert.Equal(release, await NodeOps.CurrentReleaseAsync(node, "web"));
                Assert.Equal("", await NodeOps.LeftoversAsync(node));
            }
            var history = await NodeState.ExecAsync(fx.N1, "cut -f3 /root/.vz/history.log | tail -n 2");
            Assert.Equal(["rollback", "rollback"], history.Split('\n'));
        }
        finally
        {
            await fx.BackToV1Async();
        }
    }
}
