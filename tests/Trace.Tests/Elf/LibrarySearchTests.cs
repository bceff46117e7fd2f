using Vz.Fs;
using Vz.Trace.Closure;
using Vz.Trace.Elf;
using Vz.Trace.Tests.Closure;

namespace Vz.Trace.Tests.Elf;

public class LibrarySearchTests
{
    static readonly ElfInfo Amd64 = new(true, false, 62, null, [], [], [], null);
    static readonly ElfInfo I386 = new(false, false, 3, null, [], [], [], null);

    [Theory]
    [InlineData("$ORIGIN/../lib", "/opt/app/bin/../lib")]
    [InlineData("${ORIGIN}/plugins", "/opt/app/bin/plugins")]
    [InlineData("/opt/$LIB/x", "/opt/lib/x86_64-linux-gnu/x")]
    [InlineData("/opt/${PLATFORM}", "/opt/x86_64")]
    [InlineData("/opt/$ORIGINAL/$LIBRARY", "/opt/$ORIGINAL/$LIBRARY")]
    public void DynamicStringTokensExpand(string entry, string expanded)
    {
        Assert.Equal(expanded, LibrarySearch.ExpandTokens(entry, "/opt/app/bin", Amd64, d => d == "/usr/lib/x86_64-linux-gnu"));
    }

    [Fact]
    public void LibTokenIsLib64WithoutMultiarchDirectories()
    {
        Assert.Equal("/lib64", LibrarySearch.ExpandTokens("/$LIB", "/", Amd64, d => d == "/usr/lib64"));
        Assert.Equal("/lib", LibrarySearch.ExpandTokens("/$LIB", "/", I386, _ => false));
    }

    [Fact]
    public void DefaultDirectoriesPutMultiarchFirstAndLib64OnlyFor64Bit()
    {
        Assert.Equal(["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"],
            LibrarySearch.DefaultDirs(Amd64));
        Assert.Equal(["/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib", "/usr/lib"], LibrarySearch.DefaultDirs(I386));
    }

    [Fact]
    public void LdSoConfFollowsIncludesInOrderAndStaysInsideTheRoot()
    {
        using var root = new TempRoot()
            .File("/etc/ld.so.conf", "/first\ninclude ld.so.conf.d/*.conf\nhwcap 0 nosegneg\n/last/=elf\n")
            .File("/etc/ld.so.conf.d/b.conf", "/from-b\n")
            .File("/etc/ld.so.conf.d/a.conf", "# libc\n/from-a\ninclude /etc/ld.so.conf\n")
            .Link("/etc/ld.so.conf.d/c.conf", "/etc/outside.conf");
        // c.conf points at /etc/outside.conf inside the root, which does not exist: the host's is never read.
        Assert.Equal(["/first", "/from-a", "/from-b", "/last"], LibrarySearch.ConfDirs(new RootFs(root.Path)));
    }

    [Fact]
    public void HostLdSoConfListsTheMultiarchDirectories()
    {
        var dirs = LibrarySearch.ConfDirs(new RootFs("/"));
        Assert.Contains("/usr/lib/x86_64-linux-gnu", dirs);
        Assert.Contains("/usr/local/lib", dirs);
    }
}
