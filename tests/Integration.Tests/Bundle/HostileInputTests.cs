using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Bundle;

/// <summary>Specs and roots that try to reach outside are refused or contained, and nothing is written outside the output.</summary>
public class HostileInputTests
{
    [Fact]
    public void DotDotPathInASpecIsRefusedWithAClearErrorAndNoBundle()
    {
        using var dir = new ScratchDir("bundle");
        var spec = BundleRunTests.WriteSpec(dir, "evil.spec", ["/bin/busybox"], ["/bin/busybox", "/../../etc/shadow"]);
        var r = Vzbuild.Run("bundle", spec, "--no-closure", "-o", dir["out"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("VZ2001", r.StdErr);
        Assert.Contains("/../../etc/shadow", r.StdErr);
        Assert.Empty(ScratchDir.Listing(dir["out"]));
    }

    [Fact]
    public void SymlinksAndHardLinksInTheRootThatPointOutsideAreContained()
    {
        using var outside = new ScratchDir("bundle-outside");
        using var dir = new ScratchDir("bundle");
        var secret = outside.Write("secret", "host-secret\n");
        var root = dir["root"];
        Directory.CreateDirectory(dir["root/usr/bin"]);
        File.Copy(Tools.Require("busybox"), dir["root/usr/bin/busybox"]);
        Directory.CreateDirectory(dir["root/etc"]);
        File.CreateSymbolicLink(dir["root/etc/abs"], secret);                      // absolute, out of the root
        File.CreateSymbolicLink(dir["root/etc/rel"], "../../../../../../" + secret); // climbs past the root
        File.CreateSymbolicLink(dir["root/lib"], outside.Path);                    // a directory outside
        Tools.Checked("ln", secret, dir["root/etc/hard"]);                         // hard link to an outside file
        var before = ScratchDir.Listing(outside.Path);
        var spec = BundleRunTests.WriteSpec(dir, "s.spec", ["/usr/bin/busybox", "cat", "/etc/hard"],
            ["/etc/abs", "/etc/hard", "/etc/rel", "/lib", "/usr/bin/busybox"]);

        var r = Vzbuild.Run("bundle", spec, "--root", root, "--no-closure", "-o", dir["out"]);

        Assert.True(r.Ok, r.StdErr);
        Assert.Contains("dangling", r.StdErr);
        Assert.Equal(before, ScratchDir.Listing(outside.Path));
        var files = ScratchDir.Listing(dir["out/rootfs"]);
        // Only the hard-linked file's content came in, as a copy; the symlinks came as symlinks
        // (read on the host they may point anywhere; inside the container they resolve in the rootfs).
        var regularWithSecret = files.Where(f => new FileInfo(dir["out/rootfs/" + f]) is { LinkTarget: null, Exists: true } fi
            && File.ReadAllText(fi.FullName) == "host-secret\n");
        Assert.Equal(["etc/hard"], regularWithSecret);
        Assert.Equal(secret, new FileInfo(dir["out/rootfs/etc/abs"]).LinkTarget);
        Assert.Equal(outside.Path, new FileInfo(dir["out/rootfs/lib"]).LinkTarget);
        Assert.DoesNotContain(files, f => f.StartsWith("lib/", StringComparison.Ordinal));
        File.WriteAllText(dir["out/rootfs/etc/hard"], "changed\n");
        Assert.Equal("host-secret\n", File.ReadAllText(secret));
        Assert.Equal(dir["out"], Path.GetDirectoryName(Directory.GetFileSystemEntries(dir.Path, "rootfs", SearchOption.AllDirectories).Single()));
    }
}
