using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class LddSpecTests
{
    [Fact]
    public void BareNameIsFoundOnTheSearchPathInsideTheRootAndBecomesTheCommand()
    {
        using var root = new TempRoot().MergedUsr()
            .Copy(Fixtures.Elf("lib/libinner.so"), "/usr/lib/x86_64-linux-gnu/libinner.so")
            .Copy(Fixtures.Elf("lib/libouter.so"), "/usr/lib/x86_64-linux-gnu/libouter.so")
            .File("/usr/local/bin/tool", "#!/usr/bin/tool-real\n", executable: true)
            .File("/usr/bin/tool", "not executable, so skipped")
            .File("/usr/bin/tool-real", "binary", executable: true);
        var (spec, warnings) = LddSpec.Build(["tool", "/lib/x86_64-linux-gnu/libouter.so"], new ClosureOptions { Root = root.Path, IncludeNss = false });
        Assert.Equal(["/usr/local/bin/tool"], spec.Command);
        Assert.Equal(
            ["/lib", "/usr/bin/tool-real", "/usr/lib", "/usr/lib/x86_64-linux-gnu/libinner.so", "/usr/lib/x86_64-linux-gnu/libouter.so", "/usr/local/bin/tool"],
            spec.Paths);
        Assert.Empty(warnings);
    }

    [Fact]
    public void UnknownBinaryIsAnErrorNamingIt()
    {
        using var root = new TempRoot();
        var e = Assert.Throws<VzException>(() => LddSpec.Build(["perl"], new ClosureOptions { Root = root.Path }));
        Assert.Equal("VZ1201", e.Code);
        Assert.StartsWith("perl: not found", e.Message);
    }

    [Fact]
    public void RootThatIsNotADirectoryIsAnError()
    {
        var e = Assert.Throws<VzException>(() => ClosureResolver.Resolve(["/bin/sh"], new ClosureOptions { Root = "/nonexistent-vz-root" }));
        Assert.Equal("VZ1202", e.Code);
    }
}
