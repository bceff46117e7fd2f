using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Platform;
using Vz.Deploy.Tests.Pods;

namespace Vz.Deploy.Tests.Drift;

/// <summary>Each case of issue 10's "diff names exactly the right node, pod and difference".</summary>
public class DriftCheckTests
{
    static readonly string Converged = PodFixtures.Text("status/converged.txt");

    static readonly DesiredNode Desired = new("n1",
    [
        new DesiredPod
        {
            Pod = "web", Release = "0123456789abcdef",
            ManifestSha = new string('2', 64), UnitSha = new string('1', 64),
            ImageIds = new Dictionary<string, string> { ["localhost/web:1"] = "sha256:" + new string('3', 64) },
            Containers = DesiredPod.ContainerNames(Nodes.Manifest("issue9/pods/web.yaml")),
            Unit = UnitKind.PodmanKubeService,
        },
    ], new SortedSet<FirewallPort> { FirewallPort.Parse("8080/tcp")! }, Rootless: false, FirewallBackend.Nftables);

    static ObservedNode Observed(string status) =>
        NodeStatus.Parse("n1", status) with { OpenedPorts = new SortedSet<FirewallPort> { FirewallPort.Parse("8080/tcp")! } };

    static IReadOnlyList<DriftFinding> Diff(ObservedNode o) => DriftCheck.Compare(Desired, o);

    static DriftFinding Only(ObservedNode o) => Assert.Single(Diff(o));

    [Fact]
    public void AConvergedNodeHasNoFindings()
    {
        Assert.Empty(Diff(Observed(Converged)));
        Assert.Equal(DriftOutcome.Converged, DriftCheck.Outcome([]));
    }

    [Fact]
    public void TheStatusProbeOutputParses()
    {
        var o = NodeStatus.Parse("n1", Converged);
        var web = Assert.Single(o.Pods);
        Assert.Equal(("0123456789abcdef", "fedcba9876543210", "active", "enabled"), (web.Current, web.Previous, web.Active, web.Enabled));
        Assert.Equal(2, web.Containers.Count);
        Assert.Equal(new string('3', 64), web.ImageIds["localhost/web:1"]);
        Assert.Equal((301220L * 1024, 8123456L * 1024), (o.MemAvailable, o.DiskFree));
        Assert.Equal("00ff", NodeStatus.Parse("n1", "salt=00ff\n").Salt);
    }

    [Fact]
    public void APodIsUnchangedOnlyWhenItRunsTheDesiredReleaseWithNothingPending()
    {
        var web = NodeStatus.Parse("n1", Converged).Pods[0];
        Assert.True(Vz.Deploy.Rollout.RolloutPlan.IsConverged("0123456789abcdef", web));
        Assert.False(Vz.Deploy.Rollout.RolloutPlan.IsConverged("aaaaaaaaaaaaaaaa", web));
        Assert.False(Vz.Deploy.Rollout.RolloutPlan.IsConverged("0123456789abcdef", web with { Active = "failed" }));
        Assert.False(Vz.Deploy.Rollout.RolloutPlan.IsConverged("0123456789abcdef", web with { Pending = true }));
        Assert.False(Vz.Deploy.Rollout.RolloutPlan.IsConverged("0123456789abcdef", null));
    }

    [Fact]
    public void AWipedNodeReportsThePodMissing()
    {
        var f = Only(Observed("pod=web\nactive=inactive\nenabled=\n"));
        Assert.Equal("n1: pod web: not deployed (no release, service not running)", f.ToString());
    }

    [Fact]
    public void AStoppedNodeIsUnreachableAndAnError()
    {
        var f = Only(new ObservedNode { Node = "n1", Unreachable = "connection refused (VZ3013)" });
        Assert.Equal(DriftKind.Unreachable, f.Kind);
        Assert.Equal(DriftOutcome.Errors, DriftCheck.Outcome([f]));
    }

    [Fact]
    public void AUnitDisabledByHandWouldNotSurviveAReboot()
    {
        var f = Only(Observed(Converged.Replace("enabled=enabled", "enabled=disabled")));
        Assert.Equal("n1: pod web: unit is disabled: it would not start at boot", f.ToString());
        Assert.Equal(DriftOutcome.Drifted, DriftCheck.Outcome([f]));
    }

    [Fact]
    public void APodStoppedByHandIsStopped()
    {
        var findings = Diff(Observed(Converged.Replace("active=active", "active=inactive").Replace("web-httpd running", "web-httpd exited")));
        Assert.Equal(["n1: pod web: service is inactive", "n1: pod web: container web-httpd is exited"], findings.Select(f => f.ToString()));
    }

    [Fact]
    public void AnImageRetaggedByHandToAnotherIdIsNamed()
    {
        var f = Only(Observed(Converged.Replace("image=localhost/web:1 3333", "image=localhost/web:1 9999")));
        Assert.Equal("n1: pod web: image localhost/web:1 is sha256:999933333333, expected sha256:333333333333", f.ToString());
    }

    [Fact]
    public void APodStartedByHandIsNamedAsANoteThatIsNotDrift()
    {
        var f = Only(Observed(Converged + "podman_pod=adhoc\n"));
        Assert.Equal((DriftKind.ForeignPod, "adhoc", true), (f.Kind, f.Pod, f.Note));
        Assert.Equal("n1: pod adhoc: runs on the node and vz did not place it (vz leaves it alone)", f.ToString());
        Assert.Equal(DriftOutcome.Converged, DriftCheck.Outcome([f]));
        Assert.False(DriftCheck.RepairedByDeploy(f.Kind));
    }

    [Fact]
    public void APodVzDeployedThatTheFleetNoLongerPlacesIsExtraAndDrift()
    {
        var f = Only(Observed(Converged + "podman_pod=old\nvz_pod=old\n"));
        Assert.Equal((DriftKind.PodExtra, "old", false), (f.Kind, f.Pod, f.Note));
        Assert.Equal(DriftOutcome.Drifted, DriftCheck.Outcome([f]));
        Assert.EndsWith("(vzbuild deploy --prune removes it)", f.What);
        Assert.False(DriftCheck.RepairedByDeploy(f.Kind));
    }

    [Fact]
    public void APodPlacedOnTheNodeButLeftOutByPodIsNotExtra()
    {
        var narrowed = Desired with { Placed = new HashSet<string> { "web", "api" } };
        Assert.Empty(DriftCheck.Compare(narrowed, Observed(Converged + "podman_pod=api\nvz_pod=api\n")));
    }

    [Fact]
    public void APodOnAnotherReleaseIsOneLineNotAlsoItsManifestUnitAndImage()
    {
        var other = Converged.Replace("current=0123456789abcdef", "current=fedcba9876543210").Replace("unit_sha=1111", "unit_sha=5555")
            .Replace("manifest_sha=2222", "manifest_sha=6666").Replace("web-httpd running 0 3333", "web-httpd running 0 7777");
        Assert.Equal("n1: pod web: runs release fedcba9876543210, expected 0123456789abcdef", Only(Observed(other)).ToString());
    }

    [Fact]
    public void AManifestChangedByHandOnTheDesiredReleaseIsNamed()
    {
        var f = Only(Observed(Converged.Replace("manifest_sha=2222", "manifest_sha=6666")));
        Assert.Equal((DriftKind.ManifestDiffers, "n1: pod web: manifest differs from what vz would write"), (f.Kind, f.ToString()));
        Assert.True(DriftCheck.RepairedByDeploy(f.Kind));
    }

    [Fact]
    public void DeployRepairsStateButNotRestartsResourcesOrOtherPeoplesPods()
    {
        var repaired = Enum.GetValues<DriftKind>().Where(DriftCheck.RepairedByDeploy).ToHashSet();
        Assert.Equal(new HashSet<DriftKind>
        {
            DriftKind.PodMissing, DriftKind.PodStopped, DriftKind.VersionDiffers, DriftKind.ImageDiffers, DriftKind.ManifestDiffers,
            DriftKind.UnitDiffers, DriftKind.UnitNotEnabled, DriftKind.LingerMissing, DriftKind.PortClosed, DriftKind.PortExtra, DriftKind.DeadmanPending,
        }, repaired);
    }

    [Fact]
    public void TheLowDiskAndMemoryLimitsAreTheCallers()
    {
        var o = Observed(Converged);
        Assert.Empty(DriftCheck.Compare(Desired, o));
        var kinds = DriftCheck.Compare(Desired, o, new DriftLimits(DiskLow: 10L << 30, MemoryLow: 1L << 30)).Select(f => f.Kind);
        Assert.Equal([DriftKind.DiskLow, DriftKind.MemoryLow], kinds);
    }

    [Fact]
    public void AHeldDeployLockIsANoteNamingItsHolderAndTheWayOut()
    {
        var f = Only(Observed(Converged + "lock=token=ab\twho=ops@laptop\twhen=2025-01-02T03:04:05Z\twhat=deploy web\t\n"));
        Assert.Equal("n1: a deploy holds the node's lock: ops@laptop since 2025-01-02T03:04:05Z (deploy web) (if it is gone: vzbuild lock release n1)", f.ToString());
        Assert.Equal((DriftKind.DeployLocked, true, DriftOutcome.Converged), (f.Kind, f.Note, DriftCheck.Outcome([f])));
    }

    [Fact]
    public void ANodeThatAnsweredButCouldNotBeReadIsAnError() =>
        Assert.Equal(DriftOutcome.Errors, DriftCheck.Outcome([new DriftFinding("n1", null, DriftKind.NodeError, "not read: VZ4201")]));

    [Fact]
    public void APortRuleDeletedByHandIsAClosedPort()
    {
        var f = Only(Observed(Converged) with { OpenedPorts = new SortedSet<FirewallPort>() });
        Assert.Equal("n1: port 8080/tcp is declared and not open in nftables", f.ToString());
    }

    [Fact]
    public void RestartsAPendingDeadmanAndLowDiskAreEachAFinding()
    {
        var status = Converged.Replace("web-httpd running 0", "web-httpd running 2").Replace("disk_free_kb=8123456", "disk_free_kb=1000") + "";
        var kinds = Diff(Observed(status.Replace("restarts=0", "restarts=0\npending=1\ndeadman=1"))).Select(f => f.Kind).ToList();
        Assert.Equal([DriftKind.PodRestarting, DriftKind.DeadmanPending, DriftKind.DiskLow], kinds);
    }

    [Fact]
    public void ARootlessNodeWithoutLingerIsReported()
    {
        var f = DriftCheck.Compare(Desired with { Rootless = true }, Observed(Converged));
        Assert.Equal(DriftKind.LingerMissing, Assert.Single(f).Kind);
    }

    [Fact]
    public void TheStatusScriptOfARootlessQuadletNodeIsTheGoldenFile()
    {
        var web = Nodes.Manifest("issue9/pods/web.yaml");
        var (plan, layout) = Nodes.On("rocky-9", web);
        var s = NodeStatus.Script(layout, [new NodeStatus.PodQuery("web", plan, ["localhost/web:1"])]);
        Golden.Match("status.rocky-9-rootless.sh", s);
        Assert.DoesNotContain("set -e", s);
    }
}
