using Vz.Fs;

namespace Vz.Core.Tests.Fs;

/// <summary>The one containment rule: paths resolve as after chroot(2), whatever the tree's symlinks say.</summary>
public class RootFsTests
{
    [Fact]
    public void SymlinkChainResolvesToTheFinalFileAndListsEveryLink()
    {
        using var root = new TempTree().File("/data/c", "end").Link("/data/b", "c").Link("/data/a", "b");
        var r = new RootFs(root.Path).Resolve("/data/a");
        Assert.Equal(ResolveError.None, r.Error);
        Assert.Equal("/data/c", r.Path);
        Assert.Equal(["/data/a", "/data/b", "/data/c", "/data/c"], r.Chain);
        Assert.Equal(["/data", "/data/a", "/data/b", "/data/c"], r.Steps.Select(s => s.Path));
        Assert.Equal(["b", "c"], r.Steps.Where(s => s.LinkTarget is not null).Select(s => s.LinkTarget));
        Assert.Equal(3, r.Stat!.Size);
    }

    [Fact]
    public void StepsCarryTheStatOfEveryDirectoryOnTheWay()
    {
        using var root = new TempTree().Dir("/srv").Dir("/srv/private", (UnixFileMode)0b111_000_000).File("/srv/private/key");
        var r = new RootFs(root.Path).Resolve("/srv/private/key");
        Assert.Equal([UnixFileType.Directory, UnixFileType.Directory, UnixFileType.Regular], r.Steps.Select(s => s.Stat.Type));
        Assert.Equal(0b111_000_000, r.Steps[1].Stat.Permissions);
        Assert.Equal(r.Steps[^1].Stat, r.Stat);
    }

    [Fact]
    public void AbsoluteSymlinkTargetStartsAgainAtTheRoot()
    {
        using var root = new TempTree().File("/real/target", "inside").Link("/link", "/real/target");
        var r = new RootFs(root.Path).Resolve("/link");
        Assert.Equal("/real/target", r.Path);
        Assert.Equal(["/link", "/real", "/real/target"], r.Steps.Select(s => s.Path));
    }

    [Fact]
    public void AbsoluteSymlinkToAHostFileFindsNothingUntilTheRootHasItsOwn()
    {
        // On the host /etc/hostname exists; inside this root it must not be found.
        using var root = new TempTree().Link("/escape", "/etc/hostname");
        var fs = new RootFs(root.Path);
        Assert.Equal(ResolveError.Missing, fs.Resolve("/escape").Error);
        Assert.Equal("/etc", fs.Resolve("/escape").Missing);

        root.File("/etc/hostname", "inside");
        var r = fs.Resolve("/escape");
        Assert.True(r.Ok);
        Assert.Equal("/etc/hostname", r.Path);
        Assert.Equal("inside", File.ReadAllText(fs.HostPath(r.Path)));
    }

    [Fact]
    public void SymlinkToTheHostsRootIsTheRootItself()
    {
        using var root = new TempTree().Link("/hostroot", "/").File("/etc/motd", "inside");
        var fs = new RootFs(root.Path);
        Assert.Equal("/etc/motd", fs.Resolve("/hostroot/etc/motd").Path);
        Assert.Equal(ResolveError.Missing, fs.Resolve("/hostroot/usr/bin/env").Error);
        Assert.Equal("/", fs.Resolve("/hostroot").Path);
        Assert.Equal(UnixFileType.Directory, fs.Resolve("/hostroot").Stat!.Type);
    }

    [Theory]
    [InlineData("../../../../../etc/motd")]
    [InlineData("/../../etc/motd")]
    [InlineData("../../../../../../../../../../../../../../../../etc/./motd")]
    public void DotDotInALinkTargetStopsAtTheRoot(string target)
    {
        using var root = new TempTree().File("/etc/motd", "inside").Link("/a/b/up", target);
        var r = new RootFs(root.Path).Resolve("/a/b/up");
        Assert.True(r.Ok);
        Assert.Equal("/etc/motd", r.Path);
    }

    [Fact]
    public void DotDotInTheAskedPathStopsAtTheRootAndFollowsLinksFirst()
    {
        // /lib -> usr/lib: "/lib/../etc" is /usr/etc after the link, as the kernel resolves it.
        using var root = new TempTree().Dir("/usr/lib").Dir("/usr/etc").Dir("/etc").Link("/lib", "usr/lib");
        var fs = new RootFs(root.Path);
        Assert.Equal("/usr/etc", fs.Resolve("/lib/../etc").Path);
        Assert.Equal("/etc", fs.Resolve("/../../../etc").Path);
    }

    [Fact]
    public void RelativeLinkClimbingToTheTopOfTheRootIsTheRoot()
    {
        using var root = new TempTree().Link("/a/b/top", "../../../..").File("/secret", "inside");
        var fs = new RootFs(root.Path);
        Assert.Equal("/", fs.Resolve("/a/b/top").Path);
        Assert.Equal("/secret", fs.Resolve("/a/b/top/secret").Path);
    }

    [Fact]
    public void TwoLinksPointingAtEachOtherAreALoopNotAHang()
    {
        using var root = new TempTree().Link("/x", "y").Link("/y", "x");
        var r = new RootFs(root.Path).Resolve("/x");
        Assert.Equal(ResolveError.Loop, r.Error);
        Assert.Contains("/x", r.Chain);
        Assert.Contains("/y", r.Chain);
    }

    [Fact]
    public void ALinkToItselfAndADirectoryLinkToItsParentAreLoops()
    {
        using var root = new TempTree().Link("/self", "self").Link("/d/again", "../d/again").Link("/d/dot", ".");
        var fs = new RootFs(root.Path);
        Assert.Equal(ResolveError.Loop, fs.Resolve("/self").Error);
        Assert.Equal(ResolveError.Loop, fs.Resolve("/d/again").Error);
        // "/d/dot" -> "." is a directory, not a loop, until more than 40 of them are followed.
        Assert.Equal("/d", fs.Resolve("/d" + string.Concat(Enumerable.Repeat("/dot", 40))).Path);
        Assert.Equal(ResolveError.Loop, fs.Resolve("/d" + string.Concat(Enumerable.Repeat("/dot", 41))).Error);
    }

    [Fact]
    public void FortyLinksResolveAndTheFortyFirstIsALoop()
    {
        using var root = new TempTree().File("/end", "end");
        for (var i = 1; i <= 41; i++)
            root.Link($"/l{i}", i == 1 ? "end" : $"l{i - 1}");
        var fs = new RootFs(root.Path);
        Assert.Equal("/end", fs.Resolve("/l40").Path);
        Assert.Equal(ResolveError.Loop, fs.Resolve("/l41").Error);
    }

    [Fact]
    public void MergedUsrLibraryPathBecomesCanonicalWithItsDirectoryLink()
    {
        using var root = new TempTree().Dir("/usr/lib").Link("/lib", "usr/lib").File("/usr/lib/x86_64-linux-gnu/libc.so.6");
        var r = new RootFs(root.Path).Resolve("/lib/x86_64-linux-gnu/libc.so.6");
        Assert.True(r.Ok);
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libc.so.6", r.Path);
        Assert.Equal(["/lib", "/usr/lib"], r.Chain);
    }

    [Fact]
    public void DanglingLinkExistsButDoesNotResolve()
    {
        using var root = new TempTree().Link("/dangling", "nowhere");
        var fs = new RootFs(root.Path);
        Assert.True(fs.Exists("/dangling"));
        Assert.Equal(UnixFileType.Symlink, fs.Lstat("/dangling")!.Type);
        Assert.Equal(ResolveError.Missing, fs.Resolve("/dangling").Error);
        Assert.Equal("/nowhere", fs.Resolve("/dangling").Missing);
        Assert.False(fs.Exists("/nowhere"));
    }

    [Fact]
    public void LastLinkIsNotFollowedWhenAskedAsLstat()
    {
        using var root = new TempTree().File("/target").Link("/link", "target");
        var r = new RootFs(root.Path).Resolve("/link", followLast: false);
        Assert.Equal("/link", r.Path);
        Assert.Equal(UnixFileType.Symlink, r.Stat!.Type);
        Assert.Equal("target", r.Steps[^1].LinkTarget);
    }

    [Fact]
    public void FileUsedAsDirectoryIsNotADirectory()
    {
        using var root = new TempTree().File("/etc/passwd").Link("/etc/pw", "passwd");
        var fs = new RootFs(root.Path);
        Assert.Equal(ResolveError.NotDirectory, fs.Resolve("/etc/passwd/x").Error);
        Assert.Equal(ResolveError.NotDirectory, fs.Resolve("/etc/pw/x/y").Error);
        Assert.Equal("/etc/passwd/x", fs.Resolve("/etc/passwd/x").Missing);
    }

    [Fact]
    public void RootMayBeASymlinkToADirectory()
    {
        using var tree = new TempTree().File("/real/bin/x", "x").Link("/current", "real");
        var fs = RootFs.Open(tree.Host("/current"))!;
        Assert.Equal("/bin/x", fs.Resolve("/bin/x").Path);
        Assert.Null(RootFs.Open(tree.Host("/real/bin/x")));
        Assert.Null(RootFs.Open(tree.Host("/missing")));
    }

    [Fact]
    public void HostPathNeverLeavesTheRoot()
    {
        var fs = new RootFs("/srv/root/");
        Assert.Equal("/srv/root", fs.Root);
        Assert.Equal("/srv/root/etc/passwd", fs.HostPath("/../etc//./passwd"));
        Assert.Equal("/srv/root", fs.HostPath("/"));
        Assert.Equal("/etc", new RootFs("/").HostPath("etc"));
    }

    [Theory]
    [InlineData("a/./b/../c", "/x", "/x/a/c")]
    [InlineData("../../..", "/x/y", "/")]
    [InlineData("/a//b/", "/ignored", "/a/b")]
    [InlineData(".", "/x", "/x")]
    [InlineData("/../../etc/shadow", "/", "/etc/shadow")]
    public void NormalizeFoldsDotsLexically(string path, string baseDir, string expected)
    {
        Assert.Equal(expected, RootFs.Normalize(path, baseDir));
    }

    [Theory]
    [InlineData("/../../etc/shadow", "'.' or '..'")]
    [InlineData("/usr/../etc/shadow", "'.' or '..'")]
    [InlineData("/./etc", "'.' or '..'")]
    [InlineData("etc/passwd", "not absolute")]
    [InlineData("", "not absolute")]
    [InlineData("/etc/\0x", "NUL")]
    public void ListedPathsWithDotPartsOrNotAbsoluteHaveAProblem(string path, string problem)
    {
        Assert.Contains(problem, RootFs.Problem(path));
    }

    [Fact]
    public void CleanListedPathsHaveNoProblemAndRepeatedSlashesCollapse()
    {
        Assert.Null(RootFs.Problem("//usr///bin/env"));
        Assert.Equal("/usr/bin/env", RootFs.Normalize("//usr///bin/env"));
    }
}
