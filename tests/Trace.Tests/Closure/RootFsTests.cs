using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class RootFsTests
{
    [Fact]
    public void SymlinkChainResolvesToTheFinalFileAndListsEveryLink()
    {
        using var root = new TempRoot().File("/data/c", "end").Link("/data/b", "c").Link("/data/a", "b");
        var r = new RootFs(root.Path).Resolve("/data/a");
        Assert.Equal(ResolveError.None, r.Error);
        Assert.Equal("/data/c", r.Path);
        Assert.Equal(["/data/a", "/data/b", "/data/c", "/data/c"], r.Chain);
    }

    [Fact]
    public void SymlinkLoopFailsAsElooPInsteadOfHanging()
    {
        using var root = new TempRoot().Link("/x", "y").Link("/y", "x");
        var r = new RootFs(root.Path).Resolve("/x");
        Assert.Equal(ResolveError.Loop, r.Error);
        Assert.Contains("/x", r.Chain);
        Assert.Contains("/y", r.Chain);
    }

    [Fact]
    public void AbsoluteSymlinkTargetStaysInsideTheRoot()
    {
        // On the host /etc/hostname exists; inside this root it must not be found.
        using var root = new TempRoot().Link("/escape", "/etc/hostname");
        var fs = new RootFs(root.Path);
        Assert.Equal(ResolveError.Missing, fs.Resolve("/escape").Error);

        root.File("/etc/hostname", "inside");
        var r = fs.Resolve("/escape");
        Assert.True(r.Ok);
        Assert.Equal("/etc/hostname", r.Path);
        Assert.Equal("inside", File.ReadAllText(fs.HostPath(r.Path)));
    }

    [Fact]
    public void DotDotInALinkTargetStopsAtTheRoot()
    {
        using var root = new TempRoot().File("/etc/motd", "inside").Link("/a/b/up", "../../../../../etc/motd");
        var r = new RootFs(root.Path).Resolve("/a/b/up");
        Assert.True(r.Ok);
        Assert.Equal("/etc/motd", r.Path);
    }

    [Fact]
    public void MergedUsrLibraryPathBecomesCanonicalWithItsDirectoryLink()
    {
        using var root = new TempRoot().MergedUsr().File("/usr/lib/x86_64-linux-gnu/libc.so.6");
        var r = new RootFs(root.Path).Resolve("/lib/x86_64-linux-gnu/libc.so.6");
        Assert.True(r.Ok);
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libc.so.6", r.Path);
        Assert.Equal(["/lib", "/usr/lib"], r.Chain);
    }

    [Fact]
    public void DanglingLinkExistsButDoesNotResolve()
    {
        using var root = new TempRoot().Link("/dangling", "nowhere");
        var fs = new RootFs(root.Path);
        Assert.True(fs.Exists("/dangling"));
        Assert.Equal(ResolveError.Missing, fs.Resolve("/dangling").Error);
        Assert.False(fs.Exists("/nowhere"));
    }

    [Fact]
    public void FileUsedAsDirectoryIsNotADirectory()
    {
        using var root = new TempRoot().File("/etc/passwd");
        Assert.Equal(ResolveError.NotDirectory, new RootFs(root.Path).Resolve("/etc/passwd/x").Error);
    }
}
