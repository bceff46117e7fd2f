using Vz.Bundle.Fs;

namespace Vz.Bundle.Tests;

public class RootPathTests
{
    [Theory]
    [InlineData("/../../etc/shadow")]
    [InlineData("/usr/../etc/shadow")]
    [InlineData("/./etc")]
    [InlineData("etc/passwd")]
    [InlineData("")]
    public void PathsWithDotPartsOrNotAbsoluteAreRefused(string path)
    {
        var e = Assert.Throws<VzException>(() => RootPath.Normalize(path));
        Assert.Equal("VZ2001", e.Code);
    }

    [Fact]
    public void RepeatedSlashesAreCollapsed() => Assert.Equal("/usr/bin/env", RootPath.Normalize("//usr///bin/env"));

    [Fact]
    public void AbsoluteSymlinkStartsAgainAtTheRoot()
    {
        using var t = new TestTree();
        t.File("real/target", "inside");
        t.Symlink("link", "/real/target");
        var r = RootPath.Resolve(t.Dir, "/link");
        Assert.Equal("/real/target", r.Final);
        Assert.Equal(["/link", "/real", "/real/target"], r.Steps.Select(s => s.InsidePath));
    }

    [Fact]
    public void DotDotInASymlinkStopsAtTheRoot()
    {
        using var t = new TestTree();
        t.File("etc/hostname", "inside");
        t.Symlink("a/b/up", "../../../../../../etc/hostname");
        var r = RootPath.Resolve(t.Dir, "/a/b/up");
        Assert.Equal("/etc/hostname", r.Final);
    }

    [Fact]
    public void SymlinkLoopIsReportedNotFollowedForever()
    {
        using var t = new TestTree();
        t.Symlink("x", "y");
        t.Symlink("y", "x");
        Assert.Equal("VZ2004", Assert.Throws<VzException>(() => RootPath.Resolve(t.Dir, "/x")).Code);
    }
}
