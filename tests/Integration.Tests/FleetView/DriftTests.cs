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

    /// <summary>
    /// Placement changed in hosts.ini (web leaves n2 for n3, api leaves n3): deploy puts web on n3,
    /// leaves the two pods no longer placed running and says how to remove them; diff names them
    /// extra; deploy --prune removes them (Quadlet on n2, vz's own unit on n3), keeping their
    /// volumes, and diff is converged. Placed back, prune removes web from n3, and web and api start
    /// again on n2 and n3 on the data they had.
    /// </summary>
    [Fact]
    public async Task APodNoLongerPlacedOnANodeIsExtraUntilDeployPruneRemovesItAndItsVolumeStays()
    {
        Assert.Equal(0, (await fx.DiffAsync()).ExitCode);
        const string Units = "ls /etc/containers/systemd/vz-{0}.kube /etc/systemd/system/vz-{0}.service 2>/dev/null || true";
        static string Starts(string pod) => $"cat \"$(podman volume inspect {pod}-data --format '{{{{.Mountpoint}}}}')/starts\"";
        var extra = new[] { (Node: "n2", Test: fx.N2, Pod: "web"), (Node: "n3", Test: fx.N3, Pod: "api") };
        var startsBefore = new Dictionary<string, string>();
        foreach (var e in extra)
            startsBefore[e.Node] = await NodeState.ExecAsync(e.Test, Starts(e.Pod));
        try
        {
            fx.Fleet.Inventory(("web", [0, 2]), ("api", [1]));
            var plain = await fx.Fleet.DeployAsync();
            Assert.True(plain.ExitCode == 0, plain.ToString());
            Assert.Equal("deployed", plain.PodAction("n3", "web"));
            foreach (var e in extra)
            {
                Assert.Contains(plain.Node(e.Node).GetProperty("notes").EnumerateArray(),
                    n => n.GetString()!.StartsWith($"{e.Pod}: deployed here by vz") && n.GetString()!.Contains("vzbuild deploy --prune"));
                Assert.Equal("active", await NodeState.ExecAsync(e.Test, $"systemctl is-active vz-{e.Pod}.service || true"));
            }

            var drift = await fx.DiffAsync();
            Assert.True(drift.ExitCode == Drifted, drift.ToString());
            Assert.Equal([("n2", "web", "pod-extra"), ("n3", "api", "pod-extra")], drift.Findings.Order());

            var prune = await fx.Fleet.DeployAsync("--prune");
            output.WriteLine(prune.Process.StdErr);
            Assert.True(prune.ExitCode == 0, prune.ToString());
            Assert.Equal("unchanged", prune.NodeOutcome("n1"));
            Assert.Equal("unchanged", prune.PodAction("n2", "api"));
            Assert.Equal("unchanged", prune.PodAction("n3", "web"));
            foreach (var e in extra)
            {
                Assert.Equal("updated", prune.NodeOutcome(e.Node));
                Assert.Equal("removed", prune.PodAction(e.Node, e.Pod));
                Assert.NotEqual("active", await NodeState.ExecAsync(e.Test, $"systemctl is-active vz-{e.Pod}.service || true"));
                Assert.Equal("", await NodeState.ExecAsync(e.Test, string.Format(Units, e.Pod)));
                Assert.Equal("gone", await NodeState.ExecAsync(e.Test, $"podman pod exists {e.Pod} && echo there || echo gone"));
                Assert.Equal("kept", await NodeState.ExecAsync(e.Test, $"podman volume exists {e.Pod}-data && echo kept || echo gone"));
                Assert.Equal("", await NodeState.ExecAsync(e.Test, $"ls /root/.vz/pods | grep -x {e.Pod} || true"));
                Assert.Matches($"^{e.Pod}\\.[0-9]{{8}}T[0-9]{{6}}Z$", await NodeState.ExecAsync(e.Test, "ls /root/.vz/removed"));
                Assert.Equal("remove", await NodeState.ExecAsync(e.Test, $"awk -F'\\t' '$2 == \"{e.Pod}\" {{e=$3}} END {{print e}}' /root/.vz/history.log"));
            }
            var after = await fx.DiffAsync();
            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.Equal("all-ok", (await fx.Fleet.DeployAsync("--prune")).Outcome);
        }
        finally
        {
            fx.Fleet.Inventory(FleetViewFleet.Placement);
            var back = await fx.Fleet.DeployAsync("--prune");
            foreach (var node in new[] { fx.N2, fx.N3 })
                await NodeState.ExecAsync(node, "rm -rf /root/.vz/removed");
            Assert.True(back.ExitCode == 0, back.ToString());
        }
        Assert.Equal(0, (await fx.DiffAsync()).ExitCode);
        // The volumes kept what the pods wrote before their removal: one more start line, the old ones still there.
        foreach (var e in extra)
        {
            var startsAfter = await NodeState.ExecAsync(e.Test, Starts(e.Pod));
            Assert.StartsWith(startsBefore[e.Node], startsAfter);
            Assert.True(startsAfter.Length > startsBefore[e.Node].Length, startsAfter);
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
