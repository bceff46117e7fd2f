using Vz.Deploy.Fleet;
using Vz.Deploy.Platform;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Transport;
using Vz.Deploy.Units;

namespace Vz.Deploy.Tests.Units;

public class UnitWriterTests
{
    static readonly Vz.Deploy.Pods.PodManifest Web = Nodes.Manifest("issue9/pods/web.yaml");

    static string UnitOn(string facts, NodeSettings? settings = null, PodRuntime runtime = PodRuntime.Podman)
    {
        var (plan, layout) = Nodes.On(facts, Web, settings, runtime);
        return UnitWriter.Write("web", plan, layout, Web);
    }

    [Fact]
    public void Debian12GetsVzsOwnKubePlayServiceAsTheGoldenFile() => Golden.Match("vz-web.debian-12.service", UnitOn("debian-12"));

    [Fact]
    public void Debian12RootlessGetsAUserServiceWithoutNetworkOnlineWhichUserManagersLack()
    {
        var unit = UnitOn("debian-12-rootless");
        Golden.Match("vz-web.debian-12-rootless.service", unit);
        Assert.DoesNotContain("network-online", unit);
        Assert.Contains("WantedBy=default.target", unit);
    }

    [Fact]
    public void Debian13GetsAQuadletKubeFileAsTheGoldenFile() => Golden.Match("vz-web.debian-13.kube", UnitOn("debian-13"));

    [Fact]
    public void ARootlessQuadletUnitDropsPodmansWaitForTheSystemsNetworkOnline()
    {
        var manifest = Web with { Containers = [Web.Containers[0] with { Resources = new Vz.Deploy.Pods.Resources(null, null, null) }] };
        var (plan, layout) = Nodes.On("debian-13-rootless-node-captured", manifest);
        var unit = UnitWriter.Write("web", plan, layout);
        Golden.Match("vz-web.debian-13-rootless.kube", unit);
        Assert.Contains("\n[Quadlet]\nDefaultDependencies=false\n", unit);
        Assert.Contains("Yaml=/home/deploy/.vz/pods/web/current/pod.yaml\n", unit);
        Assert.Contains("WantedBy=default.target\n", unit);
        Assert.DoesNotContain("[Quadlet]", UnitOn("debian-13"));
    }

    [Fact]
    public void NodeSettingsReachBothUnitKinds()
    {
        var settings = new NodeSettings { Runtime = "crun", CgroupManager = "systemd", Env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = "/etc/vz/containers.conf" } };
        var kube = UnitOn("debian-13", settings);
        Assert.Contains("GlobalArgs=--runtime crun --cgroup-manager systemd\n", kube);
        Assert.Contains("Environment=CONTAINERS_CONF=/etc/vz/containers.conf\n", kube);
        var service = UnitOn("debian-12", settings);
        Assert.Contains("ExecStart=/usr/bin/podman --runtime crun --cgroup-manager systemd kube play --replace --service-container=true --log-driver journald /root/.vz/pods/web/current/pod.yaml\n", service);
        Assert.Contains("ExecStopPost=/usr/bin/podman --runtime crun --cgroup-manager systemd kube down /root/.vz/pods/web/current/pod.yaml\n", service);
    }

    [Fact]
    public void ARuncPodIsStartedByRuncAndRestartedAlways()
    {
        var unit = UnitOn("debian-12", runtime: PodRuntime.Runc);
        Golden.Match("vz-web.debian-12-runc.service", unit);
        Assert.Contains("ExecStart=/usr/sbin/runc --systemd-cgroup --root %t/vz-runc run --detach --pid-file %t/vz-runc/vz-web.pid --bundle /root/.vz/pods/web/current vz-web\n", unit);
        Assert.Contains("Restart=always\n", unit);
    }

    [Fact]
    public void EveryUnitRunsTheBootCheckFirstAndNeverForcesKubeDown()
    {
        foreach (var facts in new[] { "debian-12", "debian-12-rootless", "debian-13", "rocky-8", "rocky-9" })
        {
            var unit = UnitOn(facts);
            Assert.Matches(@"ExecStartPre=-/bin/sh /[^ ]+/\.vz/pods/web/restore\.sh boot\n", unit);
            Assert.DoesNotContain("--force", unit);
            Assert.Matches(@"ConditionPathExists=/[^ ]+/\.vz/pods/web/current/pod\.yaml\n", unit);
            Assert.Contains("Restart=on-failure\n", unit);
        }
    }

    [Theory]
    [InlineData("/home/a b/x", "\"/home/a b/x\"")]
    [InlineData("100%", "100%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("/plain/path", "/plain/path")]
    public void SystemdCommandWordsAreQuotedAndTakenLiterally(string word, string written) => Assert.Equal(written, UnitWriter.Word(word));
}
