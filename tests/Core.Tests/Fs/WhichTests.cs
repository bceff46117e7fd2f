using Vz.Fs;

namespace Vz.Core.Tests.Fs;

/// <summary>execvp(3)'s search, inside a root: the one in-root "which".</summary>
public class WhichTests
{
    static readonly string[] Path = ["/usr/local/bin", "/usr/bin", "/bin"];

    [Fact]
    public void FirstExecutableOnTheSearchPathWinsAndIsReturnedAsFound()
    {
        using var root = new TempTree().Executable("/usr/bin/tool").Executable("/bin/tool").Dir("/usr/local/bin");
        var found = new RootFs(root.Path).Which("tool", Path);
        Assert.Equal("/usr/bin/tool", found.Path);
        Assert.Equal("/usr/bin/tool", found.Resolution!.Path);
    }

    [Fact]
    public void ANonExecutableFileDoesNotStopTheSearchButIsNamedWhenNothingElseIs()
    {
        using var root = new TempTree().File("/usr/local/bin/tool").Executable("/bin/tool");
        var fs = new RootFs(root.Path);
        Assert.Equal("/bin/tool", fs.Which("tool", Path).Path);

        using var only = new TempTree().File("/usr/bin/tool");
        var lookup = new RootFs(only.Path).Which("tool", Path);
        Assert.Null(lookup.Path);
        Assert.Equal("/usr/bin/tool", lookup.NotExecutable);
    }

    [Fact]
    public void AFoundNameKeepsItsLinkedNameAndResolvesInsideTheRoot()
    {
        // busybox applets: the link's name is what the program looks at.
        using var root = new TempTree().Executable("/usr/bin/busybox").Link("/bin", "/usr/bin").Link("/usr/bin/sh", "busybox");
        var found = new RootFs(root.Path).Which("sh", ["/bin"]);
        Assert.Equal("/bin/sh", found.Path);
        Assert.Equal("/usr/bin/busybox", found.Resolution!.Path);
    }

    [Fact]
    public void ALinkToAHostProgramIsNotFound()
    {
        using var root = new TempTree().Link("/usr/bin/env", "/usr/bin/env").Link("/bin/sh", "../../../../bin/sh");
        var fs = new RootFs(root.Path);
        Assert.Null(fs.Which("env", Path).Path);
        Assert.Null(fs.Which("sh", Path).Path);
    }

    [Fact]
    public void NamesWithASlashAreTakenAgainstTheWorkingDirectory()
    {
        using var root = new TempTree().Executable("/srv/app/run").Executable("/opt/x");
        var fs = new RootFs(root.Path);
        Assert.Equal("/srv/app/./run", fs.Which("./run", Path, "/srv/app").Path);
        Assert.Equal("/opt/x", fs.Which("/opt/x", Path, "/srv/app").Path);
        Assert.Null(fs.Which("run", Path, "/srv/app").Path);
    }

    [Fact]
    public void ADirectoryIsNotAProgram()
    {
        using var root = new TempTree().Dir("/usr/bin/tool");
        Assert.Null(new RootFs(root.Path).Which("tool", Path).Path);
    }

    [Fact]
    public void SearchPathSplitsAPathVariableOrGivesTheDefault()
    {
        Assert.Equal(["/a", "/b"], RootFs.SearchPath("/a::/b"));
        Assert.Equal(RootFs.DefaultPath, RootFs.SearchPath(null));
    }
}
