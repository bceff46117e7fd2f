using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>What the nodes do alone for a runc pod, with no vz command: systemd restarts a killed container and starts the pod at boot.</summary>
[Collection(RuncCollection.Name)]
public sealed class RuncSupervisionTests(RuncFleet fx)
{
    [Fact]
    public async Task AKilledAppIsRestartedBySystemdAloneAndAfterARebootThePodAnswersWithItsData()
    {
        foreach (var (_, node) in fx.Both)
        {
            var before = await RuncFleet.StartsAsync(node);
            var restarts = int.Parse(await NodeState.ExecAsync(node, "systemctl show -p NRestarts --value vz-web.service"));
            // The app itself: the container's init, the service's main process; systemd alone starts it again.
            var pid = await RuncFleet.ContainerPidAsync(node);
            Assert.Equal(pid.ToString(), await NodeState.ExecAsync(node, "systemctl show -p MainPID --value vz-web.service"));
            await NodeState.ExecAsync(node, $"kill -KILL {pid}");
            await Task.Delay(1000);
            Assert.Equal("web v1", await Web.WaitForAsync(node, RuncFleet.Port, "web v1", TimeSpan.FromSeconds(30)));
            Assert.Equal((restarts + 1).ToString(), await NodeState.ExecAsync(node, "systemctl show -p NRestarts --value vz-web.service"));
            Assert.NotEqual(pid, await RuncFleet.ContainerPidAsync(node));
            // One app again, and no runc left running.
            Assert.Equal("0 1", await NodeState.ExecAsync(node, "echo $(pgrep -c -x runc) $(ps -eo args | grep -c '^/bin/busybox httpd -f -vv -p 8080')"));
            var starts = await RuncFleet.StartsAsync(node);
            Assert.Equal(before.Split('\n').Length + 1, starts.Split('\n').Length);
        }

        await Task.WhenAll(fx.Both.Select(b => NodeOps.RebootAsync(b.Node)));
        foreach (var (_, node) in fx.Both)
        {
            Assert.Equal("web v1", await Web.WaitForAsync(node, RuncFleet.Port, "web v1", TimeSpan.FromSeconds(90)));
            Assert.Equal("active enabled", await NodeState.ExecAsync(node, "echo $(systemctl is-active vz-web.service) $(systemctl is-enabled vz-web.service)"));
            // vz's firewall rules came back with vz-firewall.service.
            Assert.Contains("8080", await NodeState.ExecAsync(node, node.Release == Nodes.NodeRelease.Trixie ? "nft list table inet vz" : "iptables -S VZ-INPUT"));
            Assert.Equal("web v1", (await RuncFleet.StartsAsync(node)).Split('\n')[^1]);
            Assert.Equal("", await NodeOps.LeftoversAsync(node));
        }
        var again = await fx.Fleet.DeployAsync();
        Assert.True(again.ExitCode == 0, again.ToString());
        // A restart count is history: deploy does not call it a change.
        Assert.Equal(["unchanged", "unchanged"], new[] { "n1", "n2" }.Select(again.NodeOutcome));
    }
}
