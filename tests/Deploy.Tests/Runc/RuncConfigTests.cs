using Vz.Deploy.Fleet;
using Vz.Deploy.Pods;
using Vz.Deploy.Runc;
using Vz.Deploy.Tests.Pods;
using Vz.Oci;

namespace Vz.Deploy.Tests.Runc;

public class RuncConfigTests
{
    static readonly PodManifest Web = Nodes.Manifest("runc/web.yaml");
    static readonly string Sha = new('a', 64);

    static RuncImage Image(ImageRunConfig? run = null, string? passwd = null, string? group = null) =>
        new("localhost/web:1", Sha, "sha256:" + new string('c', 64), run ?? new ImageRunConfig { Entrypoint = ["/bin/httpd"], Cmd = ["-p", "80"], Env = ["PATH=/bin", "LANG=C"] }, new UnpackPlan([], false))
        { Passwd = passwd, Group = group };

    static RuntimeConfig On(string facts, PodManifest? m = null, RuncImage? image = null)
    {
        var (plan, layout) = Nodes.On(facts, m ?? Web, runtime: PodRuntime.Runc);
        return RuncConfig.Create(m ?? Web, image ?? Image(), layout, plan);
    }

    static PodManifest WithContainer(Func<Container, Container> change, PodManifest? m = null) =>
        (m ?? Web) with { Containers = [change((m ?? Web).Containers[0])] };

    [Fact]
    public void TheWebPodOnABookwormNodeIsTheGoldenConfig()
    {
        var (plan, layout) = Nodes.On("debian-12-node-captured", Web, runtime: PodRuntime.Runc);
        Golden.Match("config.web.debian-12-node.json", RuncConfig.Text(Web, Image(), layout, plan));
    }

    [Fact]
    public void TheConfigReadsBackAsAValidRuntimeConfig()
    {
        var (plan, layout) = Nodes.On("debian-12", Web, runtime: PodRuntime.Runc);
        var text = RuncConfig.Text(Web, Image(), layout, plan);
        var back = RuntimeConfigJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(text), "config.json");
        Assert.Equal(RuncConfig.Create(Web, Image(), layout, plan).Process.Args, back.Process.Args);
        Assert.Equal(text, RuncConfig.Text(Web, Image(), layout, plan));
    }

    [Theory]
    [InlineData(null, null, "/bin/httpd -p 80")]
    [InlineData("/bin/app", null, "/bin/app")]
    [InlineData(null, "-v", "/bin/httpd -v")]
    [InlineData("/bin/app", "-v", "/bin/app -v")]
    public void CommandAndArgsOverrideEntrypointAndCmdAsKubernetesDoes(string? command, string? args, string expected)
    {
        var c = new Container { Name = "app", Image = "localhost/web:1", Command = command is null ? null : [command], Args = args is null ? null : [args] };
        Assert.Equal(expected, string.Join(' ', RuncConfig.Args(c, Image().Config)));
    }

    [Fact]
    public void NothingToRunIsRefusedNamingTheContainer()
    {
        var m = WithContainer(c => c with { Command = null, Args = null });
        var e = Assert.Throws<VzException>(() => On("debian-12", m, Image(new ImageRunConfig())));
        Assert.Equal(RuncErrors.BadImageConfig, e.Error);
        Assert.Contains("web.yaml:", e.Message);
        Assert.Contains("nothing to run", e.Message);
    }

    [Fact]
    public void TheContainersEnvFollowsTheImagesAndPathHostnameAndHomeAreAddedWhenMissing()
    {
        var env = RuncConfig.Env(["PATH=/bin", "LANG=C"], [new EnvVar("LANG", "en_US.UTF-8", null), new EnvVar("MODE", "x", null)], "web1", "/srv");
        Assert.Equal(["PATH=/bin", "LANG=en_US.UTF-8", "MODE=x", "HOSTNAME=web1", "HOME=/srv"], env);
        Assert.Contains("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", RuncConfig.Env([], [], "h", "/"));
    }

    [Fact]
    public void RunAsUserAndGroupWinAndSupplementalGroupsAreAdded()
    {
        var p = On("debian-12").Process;
        Assert.Equal((1000u, 1000u), (p.User.Uid, p.User.Gid));
        Assert.Equal([2000u], p.User.AdditionalGids);
    }

    [Theory]
    [InlineData("", 0u, 0u)]
    [InlineData("33", 33u, 33u)]
    [InlineData("44", 44u, 0u)]
    [InlineData("www", 33u, 33u)]
    [InlineData("www:staff", 33u, 50u)]
    [InlineData("7:8", 7u, 8u)]
    public void WithoutRunAsUserTheImagesUserIsResolvedInItsOwnPasswdAndGroup(string user, uint uid, uint gid)
    {
        var m = Web with { Security = null, Volumes = [], Containers = [Web.Containers[0] with { Mounts = [] }] };
        var image = Image(new ImageRunConfig { User = user, Cmd = ["/x"] }, "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n", "staff:x:50:www\nwww:x:33:\n");
        var u = RuncConfig.User(m, m.Containers[0], image);
        Assert.Equal((uid, gid), (u.Uid, u.Gid));
        if (user.StartsWith("www"))
        {
            Assert.Equal("/var/www", u.Home);
            Assert.Equal(gid == 50 ? [] : new uint[] { 50 }, u.Groups);
        }
    }

    [Fact]
    public void AUserOrGroupNameTheImageDoesNotListIsRefused()
    {
        var m = Web with { Security = null };
        var e = Assert.Throws<VzException>(() => RuncConfig.User(m, m.Containers[0], Image(new ImageRunConfig { User = "nobody", Cmd = ["/x"] }, "root:x:0:0::/root:/bin/sh\n")));
        Assert.Equal(RuncErrors.BadImageConfig, e.Error);
        Assert.Contains("user 'nobody'", e.Message);
        Assert.Contains("runAsUser", e.Hint);
        Assert.Contains("group 'wheel'", Assert.Throws<VzException>(() => RuncConfig.User(m, m.Containers[0], Image(new ImageRunConfig { User = "0:wheel", Cmd = ["/x"] })) ).Message);
    }

    [Fact]
    public void CapabilitiesArePodmansDefaultsWithAddAndDropAndANonRootProcessHoldsOnlyWhatWasAdded()
    {
        Assert.Equal(RuncConfig.DefaultCapabilities.Order(StringComparer.Ordinal), RuncConfig.Capabilities(null));
        var caps = On("debian-12").Process.Capabilities!;
        Assert.Equal(["CAP_NET_BIND_SERVICE"], caps.Bounding);
        Assert.Equal(["CAP_NET_BIND_SERVICE"], caps.Effective);
        Assert.Equal(["CAP_NET_BIND_SERVICE"], caps.Ambient);
        var root = On("debian-12", Web with { Security = null, Containers = [Web.Containers[0] with { Security = null }] }).Process.Capabilities!;
        Assert.Equal(root.Bounding, root.Effective);
        Assert.Empty(root.Ambient);
        Assert.DoesNotContain("CAP_CHOWN", RuncConfig.Capabilities(new ContainerSecurity(null, null, null, null, null, ["SYS_TIME"], ["CHOWN"])));
        Assert.Contains("CAP_SYS_TIME", RuncConfig.Capabilities(new ContainerSecurity(null, null, null, null, null, ["SYS_TIME"], ["CHOWN"])));
    }

    [Fact]
    public void PrivilegeEscalationIsOffOnlyWhenTheManifestSaysSo()
    {
        Assert.True(On("debian-12").Process.NoNewPrivileges);
        Assert.False(On("debian-12", WithContainer(c => c with { Security = null })).Process.NoNewPrivileges);
    }

    [Fact]
    public void LimitsBecomeTheContainersCgroupMemoryAndCpu()
    {
        var r = On("debian-12").Linux.Resources!;
        Assert.Equal((64L << 20, 32L << 20), (r.Memory!.Limit, r.Memory.Reservation));
        Assert.Equal((50_000L, 100_000UL), (r.Cpu!.Quota, r.Cpu.Period));
        Assert.Null(On("debian-12", WithContainer(c => c with { Resources = new Resources(null, null, null) })).Linux.Resources);
    }

    [Fact]
    public void TheRootIsTheImageVersionsRootfsReadOnlyWithTheNodesNetworkAndANofileAtTheNodesLimit()
    {
        var c = On("debian-12-node-captured");
        Assert.Equal(($"/root/.vz/bundles/web/sha256-{Sha}/rootfs", true), (c.Root.Path, c.Root.Readonly));
        Assert.DoesNotContain(c.Linux.Namespaces, n => n.Type == "network");
        Assert.Contains(c.Linux.Namespaces, n => n.Type == "pid");
        Assert.Equal("web1", c.Hostname);
        Assert.False(c.Process.Terminal);
        Assert.Equal([new RuntimeRlimit("RLIMIT_NOFILE", 1024, 1024)], c.Process.Rlimits);
        Assert.Equal("/srv", c.Process.Cwd);
    }

    [Fact]
    public void VolumesAreBindMountsAndAVolumeAtTmpTakesThePlaceOfItsTmpfs()
    {
        var mounts = On("debian-12-node-captured").Mounts;
        string Mount(string at) => mounts.Single(x => x.Destination == at) is var m ? $"{m.Type} {m.Source} {string.Join(',', m.Options)}" : "";
        Assert.Equal("bind /root/.vz/volumes/web-data rbind,rw", Mount("/data"));
        Assert.Equal("bind /root/.vz/secrets/web/tls rbind,ro", Mount("/etc/tls"));
        Assert.Equal("bind /var/log/web rbind,rw", Mount("/var/log/web"));
        Assert.Equal("bind", mounts.Single(x => x.Destination == "/tmp").Type);
        Assert.Equal("tmpfs", mounts.Single(x => x.Destination == "/run").Type);
        Assert.Equal("/etc/resolv.conf", mounts.Single(x => x.Destination == "/etc/resolv.conf").Source);
        // A parent before what is mounted inside it.
        var order = mounts.Select(x => x.Destination).ToList();
        Assert.True(order.IndexOf("/proc") < order.IndexOf("/data"));
    }

    [Fact]
    public void TheCgroupIsTheUnitsChildOnCgroupV1AndAScopeOfItsOwnOnV2()
    {
        Assert.Equal("/system.slice/vz-web.service/vz-web", On("debian-12-node-captured").Linux.CgroupsPath);
        Assert.Equal("system.slice:vz-runc:web", On("debian-12").Linux.CgroupsPath);
    }

    [Fact]
    public void AnnotationsNameTheContainerAndImageForPs()
    {
        var a = On("debian-12").Annotations!;
        Assert.Equal(("web-app", "localhost/web:1", "sha256:" + new string('c', 64)),
            (a[RuncConfig.ContainerAnnotation], a[RuncConfig.ImageAnnotation], a[RuncConfig.ImageIdAnnotation]));
    }

    [Fact]
    public void NodeChecksConfigRunsOneProgramWithNoCapabilities()
    {
        var c = RuncConfig.Minimal("/root/.vz/vz-check-1/rootfs", ["/vz-check"], "vz-check");
        Assert.Equal(["/vz-check"], c.Process.Args);
        Assert.Empty(c.Process.Capabilities!.Bounding);
        Assert.True(c.Root.Readonly);
    }
}
