using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Bundle;

/// <summary>The vzbuild bundle/image command lines: defaults, compression choices and errors.</summary>
public class BundleCliTests
{
    [Fact]
    public void PackWithoutAFileWritesZstdNextToTheBundleAndXzOnRequest()
    {
        using var dir = new ScratchDir("bundle");
        var spec = BundleRunTests.WriteSpec(dir, "bb.spec", ["/bin/busybox", "true"], ["/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["bb"], "--pack");
        var list = Tools.Checked("tar", "--zstd", "-tf", dir["bb.tar.zst"]).StdOut;
        Assert.StartsWith("config.json\nrootfs/\n", list);
        Assert.Contains("rootfs/usr/bin/busybox\n", list);

        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["bb"], "--force", "--pack", dir["bb.tar.xz"]);
        Assert.Equal(list, Tools.Checked("tar", "--xz", "-tf", dir["bb.tar.xz"]).StdOut);
    }

    [Fact]
    public void PackedBundleUnpackedByGnuTarRunsUnderRunc()
    {
        using var dir = new ScratchDir("bundle");
        var (spec, host) = BundleRunTests.CompileHello(dir);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["b"], "--pack", dir["b.tar.zst"]);
        Directory.CreateDirectory(dir["unpacked"]);
        Tools.Checked("tar", "--zstd", "--numeric-owner", "-xpf", dir["b.tar.zst"], "-C", dir["unpacked"]);
        var run = Runc.Run(dir["unpacked"], dir.Id);
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal(host, run.StdOut);
    }

    [Fact]
    public void CommandEnvUserAndPortOptionsReachConfigJson()
    {
        using var dir = new ScratchDir("bundle");
        var spec = BundleRunTests.WriteSpec(dir, "bb.spec", ["/bin/busybox", "true"], ["/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["b"], "--cmd", "[\"busybox\",\"sh\",\"-c\",\"id -u; echo $GREETING; pwd\"]",
            "--env", "GREETING=hello", "--user", "1234:1234", "--cwd", "/srv", "--port", "8080", "--name", "web");
        var config = File.ReadAllText(dir["b/config.json"]);
        Assert.Contains("\"hostname\": \"web\"", config);
        Assert.Contains("\"org.opencontainers.image.exposedPorts\": \"8080/tcp\"", config);
        var run = Runc.Run(dir["b"], dir.Id);
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal("1234\nhello\n/srv\n", run.StdOut);
    }

    [Fact]
    public void BadImageNameIsOneErrorLineWithItsCode()
    {
        using var dir = new ScratchDir("bundle");
        var r = Vzbuild.Run("image", dir.Path, "--tag", "localhost/Bad:1");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("vzbuild: error VZ2030:", r.StdErr);
    }

    [Fact]
    public void ImageOfADirectoryThatIsNotABundleSaysSo()
    {
        using var dir = new ScratchDir("bundle");
        var r = Vzbuild.Run("image", dir.Path, "--tag", "localhost/x:1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("VZ2024", r.StdErr);
        Assert.Contains("config.json", r.StdErr);
    }
}
