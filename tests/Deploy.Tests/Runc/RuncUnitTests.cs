using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Pods;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Units;

namespace Vz.Deploy.Tests.Runc;

public class RuncUnitTests
{
    static readonly PodManifest Web = Nodes.Manifest("runc/web.yaml");

    static string UnitOn(string facts, PodManifest? m = null)
    {
        var (plan, layout) = Nodes.On(facts, m ?? Web, runtime: PodRuntime.Runc);
        return UnitWriter.Write("web", plan, layout, m ?? Web);
    }

    [Fact]
    public void OnABookwormNodeTheUnitIsTheGoldenFile() => Golden.Match("vz-web.debian-12-node-runc.service", UnitOn("debian-12-node-captured"));

    [Fact]
    public void RuncStartsTheContainerAndLeavesItToSystemdWithItsStateCleanedBeforeAndAfterAndItsCgroupDelegated()
    {
        var unit = UnitOn("debian-12-node-captured");
        Assert.Contains("ExecStart=/usr/sbin/runc --root %t/vz-runc run --detach --pid-file %t/vz-runc/vz-web.pid --bundle /root/.vz/pods/web/current vz-web\n", unit);
        Assert.Contains("Type=forking\nPIDFile=%t/vz-runc/vz-web.pid\n", unit);
        Assert.Contains("ExecStartPre=-/usr/sbin/runc --root %t/vz-runc delete --force vz-web\n", unit);
        Assert.Contains("ExecStopPost=-/usr/sbin/runc --root %t/vz-runc delete --force vz-web\n", unit);
        Assert.Contains("Delegate=yes\n", unit);
        Assert.Contains("KillMode=mixed\n", unit);
        Assert.Contains("Restart=always\n", unit);
        Assert.Contains("WantedBy=multi-user.target\n", unit);
        Assert.Contains("ConditionPathExists=/root/.vz/pods/web/current/config.json\n", unit);
        // The boot check runs first, then the hostPath volumes are made.
        Assert.True(unit.IndexOf("restore.sh boot", StringComparison.Ordinal) < unit.IndexOf("ExecStartPre=/bin/mkdir -p /var/log/web\n", StringComparison.Ordinal));
        Assert.Contains("ExecStartPre=/bin/mkdir -p /run/web-cache\n", unit);
    }

    [Fact]
    public void TheContainersOutputIsTaggedWithItsNameAsPodmansJournaldDriverTagsIt() =>
        Assert.Contains("LogExtraFields=CONTAINER_NAME=web-app\n", UnitOn("debian-12-node-captured"));

    [Fact]
    public void OnCgroupV2RuncUsesSystemdsCgroupDriver() =>
        Assert.Contains("ExecStart=/usr/sbin/runc --systemd-cgroup --root %t/vz-runc run --detach", UnitOn("debian-12"));

    [Fact]
    public void RestartPolicyOnFailureRestartsOnlyOnFailureAndFileOrCreateTouchesTheFile()
    {
        var m = Web with
        {
            RestartPolicy = RestartPolicy.OnFailure,
            Volumes = [.. Web.Volumes, new Volume("conf", new HostPathVolume("/etc/web.conf", "FileOrCreate"), 1), new Volume("ca", new HostPathVolume("/etc/ssl/certs", "Directory"), 1)],
        };
        var unit = UnitOn("debian-12-node-captured", m);
        Assert.Contains("Restart=on-failure\n", unit);
        Assert.Contains("ExecStartPre=/bin/touch -a /etc/web.conf\n", unit);
        Assert.DoesNotContain("/etc/ssl/certs", unit);
    }

    [Fact]
    public void WithoutItsManifestARuncUnitCannotBeWritten()
    {
        var (plan, layout) = Nodes.On("debian-12", Web, runtime: PodRuntime.Runc);
        Assert.Throws<ArgumentException>(() => UnitWriter.Write("web", plan, layout));
    }

    [Fact]
    public void ASwitchAndARestoreZeroTheRestartCountAndAnAppThatExitsAtOnceIsAFailedStart()
    {
        var (plan, layout) = Nodes.On("debian-12-node-captured", Web, runtime: PodRuntime.Runc);
        const string reset = "systemctl reset-failed vz-web.service >/dev/null 2>&1 || true\n";
        Assert.Contains(reset + "systemctl restart --no-block vz-web.service\n", PodScripts.Switch(layout, plan, "web", "bbbb"));
        Assert.Contains("  " + reset + "  exec systemctl restart vz-web.service\n", PodScripts.RestoreScript(layout, plan, "web", []));
        Assert.Contains("[ \"$st\" = activating ] && [ \"$(systemctl show -p SubState --value vz-web.service)\" = auto-restart ] && st=failed\n",
            PodScripts.WaitStarted(plan, "0123abcd", 15));
        // A podman pod's scripts are as they were.
        var (podman, podmanLayout) = Nodes.On("debian-12-node-captured", Web);
        Assert.DoesNotContain("reset-failed vz-web.service", PodScripts.Switch(podmanLayout, podman, "web", "bbbb"));
        Assert.DoesNotContain("auto-restart", PodScripts.WaitStarted(podman, "0123abcd", 15));
    }
}
