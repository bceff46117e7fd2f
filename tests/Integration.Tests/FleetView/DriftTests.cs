using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.FleetView;

/// <summary>
/// Issue 10's diff cases on a deployed fleet: after a deploy diff is converged; after each fault
/// made by hand it names exactly the node, pod and difference; a rerun of deploy converges it
/// and diff says so. (n1 bookworm runs web; n2 trixie runs web and api; n3 bookworm runs api.)
/// </summary>
[Collection(FleetViewCollection.Name)]
public sealed class DriftTests(FleetViewFleet fx, ITestOutputHelper output)
{
    const int Drifted = 9;

    /// <summary>
    /// Converged before; the fault; diff names exactly <paramref name="expected"/> (exit
    /// <paramref name="exit"/>); deploy updates only <paramref name="repaired"/>; converged after.
    /// </summary>
    async Task BreakAndRepairAsync(string fault, Func<Task> breakIt, (string Node, string? Pod, string Kind)[] expected, string[] repaired, int exit = Drifted)
    {
        var before = await fx.DiffAsync();
        Assert.True(before.ExitCode == 0, $"not converged before {fault}: {before}");

        await breakIt();
        var drift = await fx.DiffAsync();
        output.WriteLine($"{fault}: diff exit {drift.ExitCode}\n  {string.Join("\n  ", drift.Lines)}");
        Assert.True(drift.ExitCode == exit, drift.ToString());
        Assert.Equal(expected.Order(), drift.Findings.Order());

        var deploy = await fx.Fleet.DeployAsync();
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        foreach (var n in new[] { "n1", "n2", "n3" })
            Assert.Equal(repaired.Contains(n) ? "updated" : "unchanged", deploy.NodeOutcome(n));
        var after = await fx.DiffAsync();
        Assert.True(after.ExitCode == 0, $"not converged after deploy repaired {fault}: {after}");
        output.WriteLine($"  deploy repaired {(repaired.Length == 0 ? "nothing (nothing of vz to repair)" : string.Join(", ", repaired))}; diff after: exit 0, {after.Findings.Count} note(s)");
    }

    [Fact]
    public Task ANodeWipedEmptyIsThePodMissingAndItsPortClosed() =>
        BreakAndRepairAsync("n1 wiped empty", () => NodeState.ExecAsync(fx.N1,
                "systemctl disable --now vz-web.service vz-firewall.service >/dev/null 2>&1; " +
                "rm -f /etc/systemd/system/vz-web.service /etc/systemd/system/vz-firewall.service; systemctl daemon-reload; " +
                "podman system reset -f >/dev/null 2>&1; rm -rf /root/.vz; " +
                "for t in iptables ip6tables; do $t -D INPUT -j VZ-INPUT 2>/dev/null; $t -F VZ-INPUT 2>/dev/null; $t -X VZ-INPUT 2>/dev/null; done; true"),
            [("n1", "web", "pod-missing"), ("n1", null, "port-closed")], ["n1"]);

    [Fact]
    public async Task AUnitDisabledByHandIsNamedAndEnabledAgain()
    {
        await BreakAndRepairAsync("vz-web.service disabled on n1", () => NodeState.ExecAsync(fx.N1, "systemctl disable vz-web.service 2>/dev/null"),
            [("n1", "web", "unit-not-enabled")], ["n1"]);
        Assert.Equal("enabled", await NodeState.ExecAsync(fx.N1, "systemctl is-enabled vz-web.service || true"));
    }

    [Fact]
    public async Task AManifestAndAUnitChangedByHandAreNamedAndWrittenAgain()
    {
        await BreakAndRepairAsync("pod.yaml of n1's current release and vz-api.service on n3 edited",
            async () =>
            {
                await NodeState.ExecAsync(fx.N1, "echo '# edited by hand' >> /root/.vz/pods/web/current/pod.yaml");
                await NodeState.ExecAsync(fx.N3, "echo '# edited by hand' >> /etc/systemd/system/vz-api.service");
            },
            [("n1", "web", "manifest-differs"), ("n3", "api", "unit-differs")], ["n1", "n3"]);
        Assert.Equal("", await NodeState.ExecAsync(fx.N1, "grep -l 'edited by hand' /root/.vz/pods/web/current/pod.yaml || true"));
        Assert.Equal("", await NodeState.ExecAsync(fx.N3, "grep -l 'edited by hand' /etc/systemd/system/vz-api.service || true"));
    }

    [Fact]
    public async Task APodStoppedByHandIsNamedAndStartedAgain()
    {
        await BreakAndRepairAsync("podman pod stop web on n2", () => NodeState.ExecAsync(fx.N2, "podman pod stop web >/dev/null 2>&1; sleep 2"),
            [("n2", "web", "pod-stopped")], ["n2"]);
        Assert.Equal("web v1", await Web.WaitForAsync(fx.N2, FleetViewFleet.WebPort, "web v1", TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task AnImageRetaggedByHandToAnotherIdIsNamedAndLoadedAgainFromTheNode()
    {
        await BreakAndRepairAsync("localhost/vzweb:1 retagged to the api image on n2",
            () => NodeState.ExecAsync(fx.N2, $"podman tag {fx.App.Api.Image} {fx.App.V1.Image}"),
            [("n2", "web", "image-differs")], ["n2"]);
        Assert.NotEqual(await NodeState.ExecAsync(fx.N2, $"podman image inspect --format '{{{{.Id}}}}' {fx.App.Api.Image}"),
            await NodeState.ExecAsync(fx.N2, $"podman image inspect --format '{{{{.Id}}}}' {fx.App.V1.Image}"));
    }

    /// <summary>A pod vz did not place is named, as a note: not vz's to remove, so it is not drift and deploy leaves it running.</summary>
    [Fact]
    public async Task AnExtraPodStartedByHandIsNamedAndLeftAlone()
    {
        try
        {
            await BreakAndRepairAsync("pod adhoc started by hand on n3",
                () => NodeState.ExecAsync(fx.N3, "podman pod create --name adhoc >/dev/null && podman pod start adhoc >/dev/null"),
                [("n3", "adhoc", "foreign-pod")], [], exit: 0);
            var after = await fx.DiffAsync();
            Assert.Equal([("n3", "adhoc", "foreign-pod")], after.Findings);
            Assert.Equal("Running", await NodeState.ExecAsync(fx.N3, "podman pod inspect adhoc --format '{{.State}}'"));
        }
        finally
        {
            await NodeState.ExecAsync(fx.N3, "podman pod rm -f adhoc >/dev/null 2>&1 || true");
        }
    }

    [Fact]
    public Task APortRuleDeletedByHandIsAClosedPortAndOpenedAgain() =>
        BreakAndRepairAsync("nft rule of 18081/tcp deleted on n2", () => NodeState.ExecAsync(fx.N2,
                $"h=$(nft -a list chain inet vz input | sed -n 's/.*tcp dport {FleetViewFleet.ApiPort} accept # handle \\([0-9]*\\).*/\\1/p'); nft delete rule inet vz input handle $h"),
            [("n2", null, "port-closed")], ["n2"]);

    /// <summary>A stopped node is unreachable (an error, not drift); started again it runs its pods by itself, and deploy finds nothing to do.</summary>
    [Fact]
    public async Task AStoppedNodeIsUnreachableAndConvergedOnceItIsBack()
    {
        Assert.Equal(0, (await fx.DiffAsync()).ExitCode);
        await FleetViewFleet.StopAsync(fx.N3);
        try
        {
            var drift = await fx.DiffAsync();
            output.WriteLine($"n3 stopped: diff exit {drift.ExitCode}\n  {string.Join("\n  ", drift.Lines)}");
            Assert.Equal(4, drift.ExitCode);
            Assert.Equal([("n3", null, "unreachable")], drift.Findings);
            Assert.Equal("errors", drift.Json.GetProperty("outcome").GetString());
            Assert.True(drift.Node("n3").GetProperty("unreachable").GetBoolean());
        }
        finally
        {
            await fx.N3.StartAgainAsync();
        }
        var back = await fx.ConvergedAsync(TimeSpan.FromSeconds(90));
        Assert.True(back.ExitCode == 0, back.ToString());
        var deploy = await fx.Fleet.DeployAsync();
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Equal(["unchanged", "unchanged", "unchanged"], new[] { "n1", "n2", "n3" }.Select(deploy.NodeOutcome));
        Assert.Equal("api v1", await Web.WaitForAsync(fx.N3, FleetViewFleet.ApiPort, "api v1", TimeSpan.FromSeconds(30)));
    }
}
