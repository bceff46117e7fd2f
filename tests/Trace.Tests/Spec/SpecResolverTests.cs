using Vz.Trace.Spec;
using Vz.Trace.Strace;
using Vz.Trace.Tests.Closure;

namespace Vz.Trace.Tests.Spec;

/// <summary>The one spec-to-paths pipeline: expand, close, and '-' lines applied again last.</summary>
public class SpecResolverTests
{
    static Vz.Trace.Spec.Spec Parse(string text) => SpecFormat.Parse(new StringReader(text), "test.spec");

    /// <summary>A root whose NSS set (nsswitch.conf, passwd, group, hosts) the closure adds to any spec.</summary>
    static TempRoot NssRoot() => new TempRoot()
        .File("/etc/nsswitch.conf", "passwd: files\n")
        .File("/etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        .File("/etc/group", "root:x:0:\n")
        .File("/etc/hosts", "127.0.0.1 localhost\n")
        .File("/opt/app/run.sh", "#!/opt/app/interp\n", executable: true)
        .File("/opt/app/interp", "not a real interpreter", executable: true)
        .File("/opt/app/data/a.txt").File("/opt/app/data/b.txt");

    [Fact]
    public void ExcludedPathStaysOutThoughTheNssClosureWouldAddItBack()
    {
        using var root = NssRoot();
        var r = SpecResolver.Resolve(Parse("/opt/app/run.sh\n/etc/passwd\n- /etc/passwd\n"), root.Path);
        Assert.DoesNotContain("/etc/passwd", r.Paths);
        Assert.Contains("/etc/group", r.Paths);
        Assert.Contains("/opt/app/interp", r.Paths);
        Assert.Equal(1, r.Effects.Single().Count);

        var closedOnly = SpecResolver.Resolve(Parse("/opt/app/run.sh\n"), root.Path);
        Assert.Contains("/etc/passwd", closedOnly.Paths);
    }

    [Fact]
    public void ExcludedInterpreterIsNotBroughtBackByTheScriptThatNeedsIt()
    {
        using var root = NssRoot();
        var r = SpecResolver.Resolve(Parse("/opt/app/run.sh\n- /opt/app/interp\n"), root.Path);
        Assert.DoesNotContain("/opt/app/interp", r.Paths);
        Assert.Contains("/opt/app/run.sh", r.Paths);
        Assert.Equal(1, r.Effects.Single().Count);
    }

    [Fact]
    public void AnIncludeAfterAnExcludeStillPutsItsPathBack()
    {
        using var root = NssRoot();
        var r = SpecResolver.Resolve(Parse("/opt/app/run.sh\n- /etc/**\n+ /etc/passwd\n"), root.Path);
        Assert.Contains("/etc/passwd", r.Paths);
        Assert.DoesNotContain("/etc/group", r.Paths);
        Assert.DoesNotContain("/etc/hosts", r.Paths);
    }

    [Fact]
    public void ResolvingAResolvedSpecAgainGivesTheSamePaths()
    {
        using var root = NssRoot();
        var command = new TracedCommand(["/opt/app/run.sh"], "/", "/opt/app/run.sh");
        var (spec, first) = TraceSpec.Build(["/opt/app/run.sh", "/opt/app/data/a.txt"], command,
            Parse("+ /opt/app/data/*\n- /opt/app/data/b.txt\n- /etc/passwd\n"), root.Path);
        Assert.Equal(first.Paths, spec.Paths);
        Assert.Equal(3, spec.Rules.Count);
        Assert.Equal("/opt/app/run.sh", spec.Executable);
        Assert.Contains("/opt/app/data/a.txt", spec.Paths);
        Assert.DoesNotContain("/opt/app/data/b.txt", spec.Paths);
        Assert.DoesNotContain("/etc/passwd", spec.Paths);

        var written = Parse(SpecFormat.ToText(spec));
        Assert.Equal(spec.Paths, SpecResolver.Resolve(written, root.Path).Paths);
    }

    [Fact]
    public void WithoutTheClosureTheGlobsStillApplyAndMissingListedPathsAreNamed()
    {
        using var root = NssRoot();
        var r = SpecResolver.Resolve(Parse("/opt/app/run.sh\n/opt/app/gone\n+ /opt/app/data/*\n- /opt/app/data/b.txt\n"), root.Path, close: false);
        Assert.Equal(["/opt/app/data/a.txt", "/opt/app/run.sh"], r.Paths);
        Assert.Equal(["/opt/app/gone"], r.Missing);
        Assert.Empty(r.Warnings);
    }

    [Theory]
    [InlineData("/opt/../etc/shadow\n")]
    [InlineData("+ /opt/app/../../etc/**\n")]
    public void PathsAndGlobsWithDotDotAreRefused(string text)
    {
        using var root = NssRoot();
        var e = Assert.Throws<VzException>(() => SpecResolver.Resolve(Parse(text), root.Path));
        Assert.Equal("VZ1103", e.Code);
    }

    [Fact]
    public void ARootThatIsNotADirectoryIsATypedError()
    {
        var e = Assert.Throws<VzException>(() => SpecResolver.Resolve(Parse("/x\n"), "/nonexistent-vz-root"));
        Assert.Equal("VZ1202", e.Code);
    }
}
