using Vz.Deploy.Drift;
using Vz.Deploy.Layout;
using Vz.Deploy.Runc;
using Vz.Deploy.Tests.Pods;
using Vz.Tests;

namespace Vz.Deploy.Tests.Runc;

public class RuncScriptsTests
{
    static readonly NodeLayout Layout = new("/root");
    static readonly string Sha = new('a', 64);

    static UnpackPlan TwoLayers(bool xattrs = false) => new(
    [
        new UnpackLayer("blobs/sha256/11", LayerCompression.Gzip, [], []),
        new UnpackLayer("blobs/sha256/22", LayerCompression.None, ["etc/motd", "it's"], ["var/cache"]),
    ], xattrs);

    [Fact]
    public void UnpackExtractsEachLayerInOrderAfterItsWhiteoutsFromTheVerifiedArchive()
    {
        var s = RuncScripts.Unpack(Layout, "localhost/web:1", Sha, TwoLayers());
        Assert.Contains($"archive=/root/.vz/images/web/sha256-{Sha}.tar; dir=/root/.vz/bundles/web/sha256-{Sha}\n", s);
        Assert.Contains("if [ -f \"$dir/unpacked\" ]; then echo kept; exit 0; fi\n", s);
        Assert.Contains($"= {Sha} ] || {{ echo \"$archive is damaged\" >&2; exit 65; }}", s);
        var first = s.IndexOf("blobs/sha256/11", StringComparison.Ordinal);
        var rm = s.IndexOf("rm -rf -- rootfs/etc/motd", StringComparison.Ordinal);
        var opaque = s.IndexOf("find rootfs/var/cache -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +", StringComparison.Ordinal);
        var second = s.IndexOf("blobs/sha256/22", StringComparison.Ordinal);
        Assert.True(first > 0 && first < rm && rm < opaque && opaque < second, s);
        Assert.Contains("rm -rf -- 'rootfs/it'\\''s'", s);
        Assert.Contains("{ tar -xOf \"$archive\" blobs/sha256/11 || : > failed; } | { gzip -dc || : > failed; } | tar -x --numeric-owner --same-owner --same-permissions '--exclude=.wh.*' -C rootfs -f -", s);
        Assert.Contains("{ tar -xOf \"$archive\" blobs/sha256/22 || : > failed; } | tar -x ", s);
        Assert.True(s.IndexOf("> unpacked", StringComparison.Ordinal) < s.IndexOf("mv \"$dir.part\" \"$dir\"", StringComparison.Ordinal));
        Assert.Contains("flock 8", s);
    }

    [Fact]
    public void ExtendedAttributesAreExtractedOnlyWhenTheImageHasThem()
    {
        Assert.DoesNotContain("--xattrs", RuncScripts.Unpack(Layout, "localhost/web:1", Sha, TwoLayers()));
        Assert.Contains("--xattrs '--xattrs-include=security.capability'", RuncScripts.Unpack(Layout, "localhost/web:1", Sha, TwoLayers(xattrs: true)));
        Assert.DoesNotContain("--exclude", RuncScripts.Unpack(Layout, "localhost/web:1", Sha, new UnpackPlan([new UnpackLayer("m", LayerCompression.None, [], [])], false)));
    }

    [Fact]
    public void ClaimVolumesAreMadeOnceForTheContainersUser()
    {
        var s = RuncScripts.Volumes(Layout, Nodes.Manifest("runc/web.yaml"), 1000, 1000);
        Assert.Contains("if [ ! -d /root/.vz/volumes/web-data ]; then mkdir -p /root/.vz/volumes/web-data; chown 1000:1000 /root/.vz/volumes/web-data; echo 'volume web-data made'; fi\n", s);
        Assert.DoesNotContain("/var/log/web", s);
    }

    [Fact]
    public void PruningKeepsTheBundlesOfKeptArchivesAndReleasesAndRemovesTheRest()
    {
        using var home = new TempDir("vz-runc-prune-");
        var layout = new NodeLayout(home.Path);
        string B(char c) => new(c, 64);
        foreach (var c in "abcd")
            Directory.CreateDirectory(layout.Rootfs("localhost/web:1", B(c)));
        Directory.CreateDirectory(layout.BundleDir("localhost/web:1", B('e')) + ".part");
        home.Write($".vz/images/web/sha256-{B('a')}.tar", "archive");
        home.Write($".vz/pods/web/releases/r1/release", $"vz-release 1\npod=web\nimage=localhost/web:1 sha256:{B('b')}\n");
        // Another image's release naming d: the sha decides, not the directory's name.
        home.Write($".vz/pods/api/releases/r2/release", $"vz-release 1\npod=api\nimage=localhost/api:1 sha256:{B('d')}\n");
        var r = ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", "set -e\n" + RuncScripts.PruneBundles(layout) + "echo done"]));
        Assert.True(r.Ok, r.StdErr);
        Assert.Equal("done", r.StdOut.Trim());
        var left = Directory.GetDirectories(layout.Bundles + "/web").Select(Path.GetFileName).Order().ToList();
        Assert.Equal([$"sha256-{B('a')}", $"sha256-{B('b')}", $"sha256-{B('d')}"], left);
    }

    [Fact]
    public void ConfirmOfARuncPodPrunesBundlesAfterReleases()
    {
        var (plan, layout) = Nodes.On("debian-12-node-captured", Nodes.Manifest("runc/web.yaml"), runtime: Vz.Deploy.Fleet.PodRuntime.Runc);
        var confirm = PodScripts.Confirm(layout, plan, "web", "r1", new HistoryEntry(DateTimeOffset.UnixEpoch, "web", HistoryEvent.Deploy, "r1", "me", ""));
        Assert.True(confirm.IndexOf("for d in releases/*", StringComparison.Ordinal) < confirm.IndexOf("/root/.vz/bundles/*/sha256-*", StringComparison.Ordinal));
        var (podman, podmanLayout) = Nodes.On("debian-12-node-captured", Nodes.Manifest("runc/web.yaml"));
        Assert.DoesNotContain("bundles", PodScripts.Confirm(podmanLayout, podman, "web", "r1", new HistoryEntry(DateTimeOffset.UnixEpoch, "web", HistoryEvent.Deploy, "r1", "me", "")));
    }

    [Fact]
    public void TheStatusReadsRuncStateAndTheConfigsAnnotations()
    {
        var (plan, layout) = Nodes.On("debian-12-node-captured", Nodes.Manifest("runc/web.yaml"), runtime: Vz.Deploy.Fleet.PodRuntime.Runc);
        var s = RuncScripts.Status(layout, plan, "web", detail: true);
        Assert.StartsWith("st=$(/usr/sbin/runc --root /run/vz-runc state vz-web 2>/dev/null)\n", s);
        Assert.Contains("/root/.vz/pods/web/current/config.json", s);
        Assert.Contains("echo \"ctr=$name ${status:-stopped} 0 ${iid:--}\"", s);
        Assert.Contains("echo \"ctrd=$name ${started:--} $lim ${u:--} ${image:--} -\"", s);
        Assert.DoesNotContain("ctrd=", RuncScripts.Status(layout, plan, "web", detail: false));
    }
}

/// <summary>The status probe of a runc pod read back from what a harness node without podman printed (fixtures/pods/status/detail.runc.txt).</summary>
public class RuncStatusTests
{
    [Fact]
    public void TheRuncContainerHasItsStateImageIdStartAndMemoryFromItsCgroupAndPsShowsItRunning()
    {
        var node = NodeStatus.Parse("n1", PodFixtures.Text("status/detail.runc.txt"));
        var web = Assert.Single(node.Pods);
        var app = Assert.Single(web.Containers);
        Assert.Equal(("web-app", "running", 0, "localhost/vzweb:1"), (app.Name, app.State, app.Restarts, app.Image));
        Assert.Equal("sha256:3e013390df4e8b083ba57fda3faf4d5af4ba88a6f220f6d730916ed2a35f2166", app.ImageId);
        Assert.Equal((DateTimeOffset.FromUnixTimeSeconds(1796077490), 64L << 20, (long?)516096), (app.Started, app.MemoryLimit, app.MemoryUsage));
        Assert.Empty(node.PodmanPods);
        var ps = Vz.Deploy.View.PsSummary.Node("n1", ["web"], Nodes.Facts("debian-12-node-captured") with { Podman = null }, node, TimeSpan.Zero);
        Assert.Equal("running", Assert.Single(ps.Pods).State);
        Assert.Null(ps.Podman);
    }

    [Fact]
    public void AStoppedRuncPodIsStoppedForDiff()
    {
        var node = NodeStatus.Parse("n1", "pod=web\ncurrent=r1\nactive=inactive\nenabled=enabled\nmanifest_sha=m\nunit_sha=u\nctr=web-app stopped 0 sha256:ab\n");
        var want = new DesiredPod { Pod = "web", Release = "r1", ManifestSha = "m", UnitSha = "u", ImageIds = new Dictionary<string, string>(), Containers = ["web-app"], Unit = Vz.Deploy.Platform.UnitKind.RuncService };
        var findings = DriftCheck.ComparePod("n1", want, node.Pods[0]).Select(f => f.ToString()).ToList();
        Assert.Equal(["n1: pod web: service is inactive", "n1: pod web: container web-app is stopped"], findings);
    }
}
