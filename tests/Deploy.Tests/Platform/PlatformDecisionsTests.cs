using Vz.Deploy.Fleet;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Platform;

/// <summary>One distribution family per test, from probe outputs in fixtures/pods/facts.</summary>
public class PlatformDecisionsTests
{
    static NodeFacts Facts(string name) => NodeFacts.Parse(PodFixtures.Text($"facts/{name}.txt"), name);

    static readonly PodManifest Web = PodManifestReader.Parse(PodFixtures.Text("issue9/pods/web.yaml"), "pods/web.yaml");

    static PodEntry Entry(PodRuntime runtime = PodRuntime.Podman) => new()
    {
        Name = "web", Manifest = "/f/pods/web.yaml", ManifestAsWritten = "pods/web.yaml", Groups = ["web"], Images = [],
        Health = new HealthSpec(new HttpProbe(8080, "/", 1), TimeSpan.FromSeconds(60)), Runtime = runtime,
    };

    static PlatformPlan Decide(NodeFacts facts, NodeSettings? settings = null, PodManifest? manifest = null, PodRuntime runtime = PodRuntime.Podman) =>
        PlatformDecisions.Decide(facts, settings ?? new NodeSettings(), Entry(runtime), manifest ?? Web, "n1");

    static VzException Refused(NodeFacts facts, NodeSettings? settings = null, PodManifest? manifest = null, PodRuntime runtime = PodRuntime.Podman) =>
        Assert.Throws<VzException>(() => Decide(facts, settings, manifest, runtime));

    [Fact]
    public void Debian12AsRootGetsVzsOwnSystemUnitAndNftables()
    {
        var plan = Decide(Facts("debian-12"));
        Assert.Equal((UnitKind.PodmanKubeService, "/etc/systemd/system/vz-web.service", "multi-user.target"), (plan.Unit, plan.UnitPath, plan.WantedBy));
        Assert.Equal((FirewallBackend.Nftables, FirewallAccess.Root), (plan.Firewall, plan.FirewallAccess));
        Assert.Equal("systemctl", plan.Systemctl);
        Assert.True(plan.EnforcesMemory);
        Assert.False(plan.RelabelVolumes);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void Debian12RootlessGetsAUserUnitAndLingerAndCannotTouchTheFirewall()
    {
        var plan = Decide(Facts("debian-12-rootless"));
        Assert.Equal((UnitKind.PodmanKubeService, "/home/deploy/.config/systemd/user/vz-web.service", "default.target"), (plan.Unit, plan.UnitPath, plan.WantedBy));
        Assert.Equal("systemctl --user", plan.Systemctl);
        Assert.True(plan.NeedsLinger);
        Assert.Equal(FirewallAccess.None, plan.FirewallAccess);
        Assert.Contains(plan.Notes, n => n.Contains("no passwordless sudo"));
        Assert.Contains(plan.Notes, n => n.Contains("loginctl enable-linger"));
    }

    [Fact]
    public void Debian13GetsAQuadletKubeFile()
    {
        var plan = Decide(Facts("debian-13"));
        Assert.Equal((UnitKind.QuadletKube, "/etc/containers/systemd/vz-web.kube", "vz-web.service"), (plan.Unit, plan.UnitPath, plan.Service));
        Assert.Equal(FirewallBackend.Nftables, plan.Firewall);
    }

    [Fact]
    public void Rocky8AsRootGetsQuadletFirewalldAndSelinuxLabelsAndEnforcesMemoryOnCgroupV1()
    {
        var facts = Facts("rocky-8");
        Assert.Equal((new Version(4, 9, 4), CgroupMode.V1, SelinuxMode.Enforcing), (facts.Podman, facts.Cgroup, facts.Selinux));
        var plan = Decide(facts);
        Assert.Equal((UnitKind.QuadletKube, FirewallBackend.Firewalld, true, true), (plan.Unit, plan.Firewall, plan.RelabelVolumes, plan.EnforcesMemory));
    }

    [Fact]
    public void Rocky8RootlessRefusesAMemoryLimitBecauseCgroupV1CannotEnforceIt()
    {
        var facts = Facts("rocky-8") with { User = "rocky", Uid = 1000, Home = "/home/rocky" };
        var e = Refused(facts);
        Assert.Equal(PodErrors.MemoryNotEnforceable, e.Error);
        Assert.Equal("n1: pod web: the pod limits memory, and rootless podman cannot on cgroup v1: rocky is not root", e.Message);
        Assert.Contains("cgroup v2", e.Hint);
        // Without a limit there is nothing to enforce.
        var unlimited = Web with { Containers = [Web.Containers[0] with { Resources = new Resources(null, null, null) }] };
        Assert.False(Decide(facts, manifest: unlimited).EnforcesMemory);
    }

    [Fact]
    public void Rocky9RootlessGetsAUserQuadletAndManagesFirewalldThroughSudo()
    {
        var plan = Decide(Facts("rocky-9"));
        Assert.Equal((UnitKind.QuadletKube, "/home/rocky/.config/containers/systemd/vz-web.kube"), (plan.Unit, plan.UnitPath));
        Assert.Equal((FirewallBackend.Firewalld, FirewallAccess.Sudo), (plan.Firewall, plan.FirewallAccess));
        Assert.True(plan.RelabelVolumes);
        Assert.False(plan.NeedsLinger);
        Assert.Empty(plan.Notes);
    }

    [Fact]
    public void HarnessNodesAsNodeAddsDeployUserGetUserUnitsAndRefuseMemoryLimitsOnHybridCgroups()
    {
        // Probed for real as node add's deploy user (Debian 12 and 13, hybrid cgroups, passwordless sudo, linger).
        foreach (var (name, unit, path) in new[]
        {
            ("debian-12-rootless-node-captured", UnitKind.PodmanKubeService, "/home/deploy/.config/systemd/user/vz-web.service"),
            ("debian-13-rootless-node-captured", UnitKind.QuadletKube, "/home/deploy/.config/containers/systemd/vz-web.kube"),
        })
        {
            var facts = Facts(name);
            var e = Refused(facts);
            Assert.Equal(PodErrors.MemoryNotEnforceable, e.Error);
            Assert.Equal("n1: pod web: the pod limits memory, and rootless podman cannot on cgroup v1 (hybrid): deploy is not root", e.Message);
            var plan = Decide(facts, manifest: Unlimited);
            Assert.Equal((unit, path, false, false, true), (plan.Unit, plan.UnitPath, plan.EnforcesMemory, plan.NeedsLinger, plan.Sudo));
            Assert.Equal(FirewallAccess.Sudo, plan.FirewallAccess);
        }
    }

    [Theory]
    [InlineData("5.2.5", UnitKind.PodmanKubeService)]
    [InlineData("5.3.0", UnitKind.QuadletKube)]
    public void ARootlessQuadletNeedsDefaultDependenciesFrom53ElseVzWritesItsOwnUnit(string podman, UnitKind expected)
    {
        // From 5.3 a user's Quadlet unit waits up to 90 s for the system's network-online.target.
        var facts = Facts("debian-13-rootless-node-captured") with { Podman = Version.Parse(podman) };
        var plan = Decide(facts, manifest: Unlimited);
        Assert.Equal(expected, plan.Unit);
        if (expected == UnitKind.PodmanKubeService)
            Assert.Contains("DefaultDependencies= (from 5.3)", Assert.Single(plan.Notes));
        Assert.Equal(UnitKind.QuadletKube, Decide(Facts("debian-13") with { Podman = Version.Parse(podman) }).Unit);
    }

    [Fact]
    public void LingerOffIsEnabledThroughSudoWhenTheUserHasIt()
    {
        var plan = Decide(Facts("debian-12-rootless-node-captured") with { Linger = false }, manifest: Unlimited);
        Assert.True(plan.NeedsLinger && plan.Sudo);
        Assert.Contains(plan.Notes, n => n.Contains("loginctl enable-linger, through sudo where logind refuses"));
    }

    [Fact]
    public void LingerOffWithoutSudoIsLeftToLogindAndRootNeedsNeitherLingerNorSudo()
    {
        var rootless = Decide(Facts("debian-12-rootless"));
        Assert.Equal((true, false), (rootless.NeedsLinger, rootless.Sudo));
        Assert.Contains("linger is off for deploy: vz enables it (loginctl enable-linger; without sudo, logind must allow it through polkit) so the pod starts at boot", rootless.Notes);
        var root = Decide(Facts("debian-13") with { Sudo = true, Linger = false });
        Assert.Equal((false, false), (root.NeedsLinger, root.Sudo));
        Assert.DoesNotContain(root.Notes, n => n.Contains("linger"));
    }

    static readonly PodManifest Unlimited = Web with { Containers = [Web.Containers[0] with { Resources = new Resources(null, null, null) }] };

    [Fact]
    public void RootlessWithoutADelegatedMemoryControllerIsRefusedWithTheFix()
    {
        var e = Refused(Facts("rocky-9") with { Controllers = new HashSet<string> { "pids" } });
        Assert.Contains("does not delegate the memory controller to user@1000.service", e.Message);
        Assert.Contains("Delegate=", e.Hint);
    }

    [Theory]
    [InlineData("4.4.1", null, "LogDriver= (from 4.6)")]
    [InlineData("4.6.2", "crun", "GlobalArgs= (from 4.9)")]
    public void AQuadletTooOldForTheKeysVzNeedsGetsVzsOwnUnit(string podman, string? runtime, string lacking)
    {
        var plan = Decide(Facts("debian-13") with { Podman = Version.Parse(podman) }, new NodeSettings { Runtime = runtime });
        Assert.Equal(UnitKind.PodmanKubeService, plan.Unit);
        Assert.Contains(lacking, Assert.Single(plan.Notes));
    }

    [Fact]
    public void NodeSettingsBecomePodmansGlobalArgs()
    {
        var plan = Decide(Facts("debian-13"), new NodeSettings { Runtime = "crun", CgroupManager = "systemd" });
        Assert.Equal(["--runtime", "crun", "--cgroup-manager", "systemd"], plan.PodmanGlobalArgs);
        Assert.Equal(UnitKind.QuadletKube, plan.Unit);
    }

    [Fact]
    public void PodmanOlderThan43IsRefused() =>
        Assert.Contains("older than 4.3", Refused(Facts("debian-12") with { Podman = new Version(4, 2, 0) }).Message);

    [Fact]
    public void ANodeWithRuncAndNoPodmanRunsRuncPodsAndRefusesPodmanPods()
    {
        var facts = Facts("debian-12") with { Podman = null };
        var e = Refused(facts);
        Assert.Equal("n1: pod web: the node has no podman", e.Message);
        Assert.Contains("runtime: runc", e.Hint);
        var plan = Decide(facts, runtime: PodRuntime.Runc);
        Assert.Equal((UnitKind.RuncService, "/etc/systemd/system/vz-web.service", "/usr/sbin/runc"), (plan.Unit, plan.UnitPath, plan.RuncPath));
    }

    [Fact]
    public void RootlessCannotPublishAPrivilegedPort()
    {
        var on80 = Web with { Containers = [Web.Containers[0] with { Ports = [new PortMapping(null, 8080, 80, PortProtocol.Tcp, null, 1)] }] };
        var e = Refused(Facts("debian-12-rootless"), manifest: on80);
        Assert.Contains("cannot publish port 80", e.Message);
        Assert.Equal(UnitKind.PodmanKubeService, Decide(Facts("debian-12"), manifest: on80).Unit);
    }

    [Fact]
    public void ANodeWithoutSystemdIsRefused() =>
        Assert.Contains("does not run systemd", Refused(Facts("debian-12-host-captured")).Message);

    [Fact]
    public void TheCapturedProbeOutputOfADebian12HostParses()
    {
        var f = Facts("debian-12-host-captured");
        Assert.Equal(("root", 0, "/root", new Version(4, 3, 1), CgroupMode.Hybrid), (f.User, f.Uid, f.Home, f.Podman, f.Cgroup));
        Assert.Contains("memory", f.Controllers);
        Assert.True(f.MemTotal > 100L << 20);
        Assert.Equal(("debian", "12"), (f.OsId, f.OsVersion));
    }

    [Theory]
    [InlineData("debian-12-node-captured", UnitKind.PodmanKubeService, FirewallBackend.Iptables)]
    [InlineData("debian-13-node-captured", UnitKind.QuadletKube, FirewallBackend.Nftables)]
    public void TheProbesCapturedOnHarnessNodesOfBothGenerationsDecideTheirUnitAndFirewall(string facts, UnitKind unit, FirewallBackend firewall)
    {
        var f = Facts(facts);
        var plan = Decide(f);
        Assert.Equal((unit, firewall, CgroupMode.Hybrid), (plan.Unit, plan.Firewall, f.Cgroup));
        Assert.True(plan.EnforcesMemory);
        // The boot marker: the kernel's boot id, then init's start time.
        Assert.Matches("^[0-9a-f-]{36}/[0-9]+$", f.BootId);
    }

    [Fact]
    public void ANodeCappedBelowItsMeminfoCountsItsCgroupLimit()
    {
        // Captured on a harness node capped at 512 MB: /proc/meminfo shows the host's 24 GB.
        var f = Facts("debian-13-512mb-node-captured");
        Assert.Equal(512L << 20, f.MemTotal);
        Assert.True(Facts("debian-13-node-captured").MemTotal > 1L << 30);
        Assert.Equal(1000L, NodeFacts.MemoryOf(1000, "max"));
        Assert.Equal(1000L, NodeFacts.MemoryOf(1000, "9223372036854771712"));
        Assert.Equal(600L, NodeFacts.MemoryOf(1000, "600"));
        Assert.Equal(600L, NodeFacts.MemoryOf(0, "600"));
    }

    [Fact]
    public void AProbeOutputWithoutUserIsAFactsError()
    {
        var e = Assert.Throws<VzException>(() => NodeFacts.Parse("bash: line 1: syntax error\n", "n1"));
        Assert.Equal(PodErrors.NodeFacts, e.Error);
        Assert.Contains("n1:", e.Message);
    }
}
