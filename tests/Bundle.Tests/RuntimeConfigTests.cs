using System.Text;
using Vz.Bundle.Fs;
using Vz.Bundle.Runtime;
using Vz.Oci;

namespace Vz.Bundle.Tests;

public class RuntimeConfigTests
{
    static RuntimeConfig Config(params string[] args) => RuntimeConfigFactory.Create(new RuntimeOptions { Args = args });

    [Fact]
    public void DefaultConfigRunsDetachedWithRuncsNamespacesMasksAndAModestNofile()
    {
        var c = Config("/bin/busybox", "echo", "hi");
        Assert.False(c.Process.Terminal);
        Assert.Equal(["pid", "network", "ipc", "uts", "mount"], c.Linux.Namespaces.Select(n => n.Type));
        Assert.Contains("/proc/kcore", c.Linux.MaskedPaths);
        Assert.Contains("/proc/sys", c.Linux.ReadonlyPaths);
        Assert.Equal([new RuntimeRlimit("RLIMIT_NOFILE", 1024, 1024)], c.Process.Rlimits);
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"], c.Mounts.Select(m => m.Destination));
        Assert.Contains("ro", c.Mounts.Single(m => m.Destination == "/sys").Options);
        Assert.Equal("rootfs", c.Root.Path);
    }

    [Fact]
    public void EnvOverridesReplaceDefaultsByKey()
    {
        var env = RuntimeConfigFactory.MergeEnv(["PATH=/bin", "A=1"], ["PATH=/x", "B=2"]);
        Assert.Equal(["PATH=/x", "A=1", "B=2"], env);
        Assert.Equal("VZ2021", Assert.Throws<VzException>(() => RuntimeConfigFactory.MergeEnv([], ["novalue"])).Code);
    }

    [Theory]
    [InlineData("8080", "8080/tcp")]
    [InlineData("53/UDP", "53/udp")]
    public void PortsAreNormalized(string given, string expected) => Assert.Equal(expected, RuntimeConfigFactory.NormalizePort(given));

    [Fact]
    public void BadPortIsRefused() => Assert.Equal("VZ2022", Assert.Throws<VzException>(() => RuntimeConfigFactory.NormalizePort("99999")).Code);

    [Fact]
    public void ValidationNamesEveryBadField()
    {
        using var rootfs = new TestTree();
        var bad = RuntimeConfigFactory.Create(new RuntimeOptions { Args = [], Cwd = "relative" });
        var e = Assert.Throws<VzException>(() => RuntimeConfigFactory.Validate(bad, rootfs.Dir, "b/config.json"));
        Assert.Equal("VZ2020", e.Code);
        Assert.Contains("b/config.json", e.Message);
        Assert.Contains("process.args is empty", e.Message);
        Assert.Contains("process.cwd must be absolute", e.Message);
    }

    [Fact]
    public void ValidationRefusesAProgramMissingFromTheRootfs()
    {
        using var rootfs = new TestTree();
        var e = Assert.Throws<VzException>(() => RuntimeConfigFactory.Validate(Config("nginx"), rootfs.Dir));
        Assert.Contains("nginx is not in the rootfs on PATH", e.Message);
    }

    [Fact]
    public void ValidationFindsTheProgramOnPathThroughSymlinksInsideTheRootfs()
    {
        using var rootfs = new TestTree();
        rootfs.File("usr/bin/busybox", "elf", Modes.O755);
        rootfs.Symlink("bin", "/usr/bin");
        RuntimeConfigFactory.Validate(Config("busybox", "true"), rootfs.Dir);
        RuntimeConfigFactory.Validate(Config("/bin/busybox"), rootfs.Dir);
        rootfs.File("etc/data", "x", Modes.O644);
        Assert.Contains("not an executable file", Assert.Throws<VzException>(() => RuntimeConfigFactory.Validate(Config("/etc/data"), rootfs.Dir)).Message);
    }

    [Fact]
    public void UserNamesAreLookedUpInTheRootfsNotTheHost()
    {
        using var rootfs = new TestTree();
        rootfs.File("etc/passwd", "root:x:0:0::/root:/bin/sh\nweb:x:1500:1600::/srv:/bin/false\n");
        rootfs.File("etc/group", "root:x:0:\nstaff:x:50:\n");
        Assert.Equal((1500u, 1600u), RuntimeConfigFactory.ParseUser("web", rootfs.Dir));
        Assert.Equal((1500u, 50u), RuntimeConfigFactory.ParseUser("web:staff", rootfs.Dir));
        Assert.Equal((1500u, 1600u), RuntimeConfigFactory.ParseUser("1500", rootfs.Dir));
        Assert.Equal((7u, 8u), RuntimeConfigFactory.ParseUser("7:8", rootfs.Dir));
        Assert.Equal("VZ2023", Assert.Throws<VzException>(() => RuntimeConfigFactory.ParseUser("nobody", rootfs.Dir)).Code);
    }

    [Fact]
    public void ConfigJsonRoundTripsAndIsStable()
    {
        var c = RuntimeConfigFactory.Create(new RuntimeOptions { Args = ["/x"], Ports = ["80", "53/udp"] });
        var bytes = RuntimeConfigJson.Serialize(c);
        var back = RuntimeConfigJson.Deserialize(bytes, "config.json");
        Assert.Equal(bytes, RuntimeConfigJson.Serialize(back));
        Assert.Equal("53/udp,80/tcp", back.Annotations![RuntimeConfigFactory.ExposedPortsAnnotation]);
        Assert.Contains("\"ociVersion\": \"1.0.2\"", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void BrokenConfigJsonNamesTheFile()
    {
        var e = Assert.Throws<VzException>(() => RuntimeConfigJson.Deserialize("{\"ociVersion\":1"u8.ToArray(), "b/config.json"));
        Assert.Equal("VZ2024", e.Code);
        Assert.StartsWith("b/config.json:", e.Message);
    }

    [Fact]
    public void ValidationRefusesAProgramWhoseInterpreterIsMissing()
    {
        using var rootfs = new TestTree();
        Directory.CreateDirectory(rootfs["usr/bin"]);
        File.Copy("/usr/bin/true", rootfs["usr/bin/true"]);
        rootfs.File("usr/bin/script", "#!/bin/sh -e\necho hi\n", Modes.O755);
        var e = Assert.Throws<VzException>(() => RuntimeConfigFactory.Validate(Config("/usr/bin/true"), rootfs.Dir));
        Assert.Contains("needs its interpreter /lib64/ld-linux", e.Message);
        e = Assert.Throws<VzException>(() => RuntimeConfigFactory.Validate(Config("/usr/bin/script"), rootfs.Dir));
        Assert.Contains("needs its interpreter /bin/sh", e.Message);
    }

    [Fact]
    public void AShimFoundOutsideTheContainersPathIsStartedByItsRecordedPath()
    {
        using var rootfs = new TestTree();
        rootfs.File("home/u/.pyenv/shims/python3", "#!/bin/sh\n", Modes.O755);
        var traced = new RuntimeOptions { Args = ["python3", "-c", "1"], Executable = "/home/u/.pyenv/shims/python3" };
        Assert.Equal(["/home/u/.pyenv/shims/python3", "-c", "1"], RuntimeConfigFactory.PinExecutable(traced, rootfs.Dir).Args);

        // Another python3 first on the container's PATH is not the program the trace saw.
        rootfs.File("usr/bin/python3", "elf", Modes.O755);
        Assert.Equal("/home/u/.pyenv/shims/python3", RuntimeConfigFactory.PinExecutable(traced, rootfs.Dir).Args[0]);
    }

    [Fact]
    public void TheNameStaysWhenThePathFindsTheRecordedFileOrItIsNotInTheRootfs()
    {
        using var rootfs = new TestTree();
        rootfs.File("usr/bin/perl", "elf", Modes.O755);
        rootfs.Symlink("bin", "usr/bin");
        var viaLink = new RuntimeOptions { Args = ["perl"], Executable = "/bin/perl" };
        Assert.Equal(["perl"], RuntimeConfigFactory.PinExecutable(viaLink, rootfs.Dir).Args);
        var absent = new RuntimeOptions { Args = ["perl"], Executable = "/opt/gone/perl" };
        Assert.Equal(["perl"], RuntimeConfigFactory.PinExecutable(absent, rootfs.Dir).Args);
        var withSlash = new RuntimeOptions { Args = ["./run"], Executable = "/home/u/.pyenv/shims/python3" };
        Assert.Equal(["./run"], RuntimeConfigFactory.PinExecutable(withSlash, rootfs.Dir).Args);
    }
}
