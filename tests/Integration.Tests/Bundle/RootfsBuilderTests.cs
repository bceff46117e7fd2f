using Vz.Bundle.Fs;
using Vz.Bundle.Tests;
using Vz.Fs;

namespace Vz.Integration.Tests.Bundle;

/// <summary>RootfsBuilder copying trees: owners and root-owned mount points need root.</summary>

public class RootfsBuilderTests
{
    static FileStat Stat(string path) => FileStat.Of(path) ?? throw new FileNotFoundException(path);

    [Fact]
    public void CopyKeepsTypeModeSetuidOwnersSymlinksHardLinksAndMtimes()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("usr/bin/tool", "#!/bin/true\n", Modes.Parse("4755"), 1234, 5678, 1_600_000_123);
        Posix.HardLink(src["usr/bin/tool"], src["usr/bin/tool2"]);
        src.Symlink("usr/bin/alias", "tool");
        src.Dir_("usr/bin", Modes.Parse("750"), 12, 34, 1_450_000_000); // after its contents, which touch its mtime
        src.Dir_("usr", Modes.O755, 0, 0, 1_400_000_000);
        var outDir = dst["rootfs"];

        var result = RootfsBuilder.Build(["/usr/bin/alias", "/usr/bin/tool2"], src.Dir, outDir);

        var tool = Stat(Path.Combine(outDir, "usr/bin/tool"));
        Assert.Equal(UnixFileType.Regular, tool.Type);
        Assert.Equal(Modes.Parse("4755"), tool.Permissions);
        Assert.Equal((1234u, 5678u), (tool.Uid, tool.Gid));
        Assert.Equal(1_600_000_123, tool.MTimeSeconds);
        var tool2 = Stat(Path.Combine(outDir, "usr/bin/tool2"));
        Assert.Equal(tool.Inode, tool2.Inode);
        Assert.Equal(2u, tool.NLink);
        var alias = Stat(Path.Combine(outDir, "usr/bin/alias"));
        Assert.Equal(UnixFileType.Symlink, alias.Type);
        Assert.Equal("tool", new FileInfo(Path.Combine(outDir, "usr/bin/alias")).LinkTarget);
        // Parent directories carry the source directory's mode, owner and mtime.
        var bin = Stat(Path.Combine(outDir, "usr/bin"));
        Assert.Equal((Modes.Parse("750"), 12u, 34u, 1_450_000_000L), (bin.Permissions, bin.Uid, bin.Gid, bin.MTimeSeconds));
        Assert.Equal(1_400_000_000, Stat(Path.Combine(outDir, "usr")).MTimeSeconds);
        Assert.Equal((1, 1, 1), (result.Files, result.Symlinks, result.HardLinks));
    }

    [Fact]
    public void MountPointsAreCreatedWithTheirModes()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("bin/x", "x", Modes.O755);
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/bin/x"], src.Dir, outDir, mountPointMTime: 42);
        Assert.Equal(Modes.O1777, Stat(Path.Combine(outDir, "tmp")).Permissions);
        Assert.Equal(Modes.O555, Stat(Path.Combine(outDir, "proc")).Permissions);
        Assert.Equal(Modes.O555, Stat(Path.Combine(outDir, "sys")).Permissions);
        Assert.Equal(Modes.O755, Stat(Path.Combine(outDir, "dev")).Permissions);
        Assert.Equal(42, Stat(Path.Combine(outDir, "run")).MTimeSeconds);
    }

    [Fact]
    public void SymlinkedDirectoryOnTheWayIsCopiedAsASymlinkAndItsTargetAsDirectories()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("usr/lib/libx.so.1", "elf", Modes.O644);
        src.Symlink("lib", "usr/lib");
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/lib/libx.so.1"], src.Dir, outDir);
        Assert.Equal(UnixFileType.Symlink, Stat(Path.Combine(outDir, "lib")).Type);
        Assert.Equal("elf", File.ReadAllText(Path.Combine(outDir, "usr/lib/libx.so.1")));
    }

    [Fact]
    public void AbsoluteSymlinkPointingOutOfTheRootIsContained()
    {
        using var outside = new TestTree();
        using var src = new TestTree();
        using var dst = new TestTree();
        var secret = outside.File("secret", "host-secret");
        src.Symlink("etc/evil", secret); // absolute host path: inside the root it means root + that path
        var outDir = dst["rootfs"];

        var result = RootfsBuilder.Build(["/etc/evil"], src.Dir, outDir);

        Assert.Contains(result.Warnings, w => w.Contains("dangling"));
        Assert.Equal(UnixFileType.Symlink, Stat(Path.Combine(outDir, "etc/evil")).Type);
        Assert.DoesNotContain(TestTree.Listing(outDir), p => p.EndsWith("secret", StringComparison.Ordinal));
        Assert.Equal(["secret"], TestTree.Listing(outside.Dir));
    }

    [Fact]
    public void RelativeSymlinkClimbingOutOfTheRootGetsTheRootsOwnFile()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("etc/passwd", "root-passwd");
        src.Symlink("a/b/pw", "../../../../../../../etc/passwd");
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/a/b/pw"], src.Dir, outDir);
        Assert.Equal("root-passwd", File.ReadAllText(Path.Combine(outDir, "etc/passwd")));
    }

    [Fact]
    public void HardLinkToAFileOutsideTheRootIsCopiedNotLinked()
    {
        using var outside = new TestTree();
        using var src = new TestTree();
        using var dst = new TestTree();
        var host = outside.File("data", "shared");
        Directory.CreateDirectory(src["srv"]);
        Posix.HardLink(host, src["srv/data"]);
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/srv/data"], src.Dir, outDir);
        var copy = Path.Combine(outDir, "srv/data");
        Assert.NotEqual(Stat(host).Inode, Stat(copy).Inode);
        Assert.Equal(1u, Stat(copy).NLink);
        File.WriteAllText(copy, "changed");
        Assert.Equal("shared", File.ReadAllText(host));
    }

    [Fact]
    public void MountPointBehindASymlinkIsMadeInsideTheRootfs()
    {
        using var outside = new TestTree();
        using var src = new TestTree();
        using var dst = new TestTree();
        src.Symlink("run", outside.Dir); // absolute: inside the rootfs it names rootfs + that path
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/run"], src.Dir, outDir);
        Assert.Equal(UnixFileType.Directory, Stat(outDir + outside.Dir).Type);
        Assert.Empty(TestTree.Listing(outside.Dir));
    }

    [Fact]
    public void PseudoFilesystemPathsAreNotCopied()
    {
        using var dst = new TestTree();
        var outDir = dst["rootfs"];
        var result = RootfsBuilder.Build(["/proc/self/status", "/dev/null", "/sys/kernel"], "/", outDir);
        Assert.Equal(3, result.Warnings.Count);
        Assert.Empty(TestTree.Listing(Path.Combine(outDir, "proc")));
        Assert.Empty(TestTree.Listing(Path.Combine(outDir, "dev")));
    }

    [Fact]
    public void SymlinkIntoProcIsKeptButNotFollowed()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.Symlink("etc/mtab", "../proc/self/mounts");
        Directory.CreateDirectory(src["proc/self"]);
        File.WriteAllText(src["proc/self/mounts"], "host mounts");
        var outDir = dst["rootfs"];
        RootfsBuilder.Build(["/etc/mtab"], src.Dir, outDir);
        Assert.Equal("../proc/self/mounts", new FileInfo(Path.Combine(outDir, "etc/mtab")).LinkTarget);
        Assert.Empty(TestTree.Listing(Path.Combine(outDir, "proc")));
    }
    [Fact]
    public void SourceRootMayBeASymlinkToADirectory()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("real/bin/x", "x", Modes.O755);
        var link = src.Symlink("current", src["real"]);
        RootfsBuilder.Build(["/bin/x"], link, dst["rootfs"]);
        Assert.Equal("x", File.ReadAllText(Path.Combine(dst["rootfs"], "bin/x")));
    }
}
