using Vz.Bundle.Fs;
using Vz.Fs;

namespace Vz.Bundle.Tests;

/// <summary>What RootfsBuilder refuses before writing (Integration.Tests/Bundle copies real trees, as root).</summary>
public class RootfsBuilderTests
{
    static FileStat Stat(string path) => FileStat.Of(path) ?? throw new FileNotFoundException(path);

    [Fact]
    public void DotDotPathIsRefusedAndNothingIsWritten()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("etc/shadow", "inside-shadow");
        var e = Assert.Throws<VzException>(() => RootfsBuilder.Build(["/../../etc/shadow"], src.Dir, dst["rootfs"]));
        Assert.Equal("VZ2001", e.Code);
        Assert.Contains("/../../etc/shadow", e.Message);
        Assert.Empty(TestTree.Listing(dst.Dir));
    }

    [Fact]
    public void WritingThroughASymlinkInTheRootfsIsRefused()
    {
        // A plan that (by a race or a bug) puts a file below a symlink must not write through it.
        using var outside = new TestTree();
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("x", "payload");
        var link = new PlannedEntry("/lib", FileStat.Of(src.Symlink("lib", outside.Dir))!, outside.Dir);
        var file = new PlannedEntry("/lib/x", FileStat.Of(src["x"])!);
        var plan = new RootfsPlan(src.Dir, [link, file], []);
        var e = Assert.Throws<VzException>(() => RootfsBuilder.Materialize(plan, dst["rootfs"], [], 0));
        Assert.Equal("VZ2007", e.Code);
        Assert.Empty(TestTree.Listing(outside.Dir));
    }

    [Fact]
    public void MissingPathIsAnErrorNamingIt()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        var e = Assert.Throws<VzException>(() => RootfsBuilder.Build(["/no/such/file"], src.Dir, dst["rootfs"]));
        Assert.Equal("VZ2003", e.Code);
        Assert.Contains("/no/such/file", e.Message);
    }

    [Fact]
    public void NonEmptyOutputDirectoryIsRefused()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        src.File("a", "a");
        dst.File("rootfs/old", "old");
        Assert.Equal("VZ2006", Assert.Throws<VzException>(() => RootfsBuilder.Build(["/a"], src.Dir, dst["rootfs"])).Code);
    }
}
