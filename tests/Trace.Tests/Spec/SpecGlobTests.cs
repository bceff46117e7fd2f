using Vz.Trace.Spec;
using Vz.Trace.Tests.Closure;

namespace Vz.Trace.Tests.Spec;

/// <summary>A spec's listed paths and '+'/'-' globs inside a root, without the closure.</summary>
public class SpecGlobTests
{
    static Vz.Trace.Spec.Spec Parse(string text) => SpecFormat.Parse(new StringReader(text), "test.spec");

    static IReadOnlyList<string> Expand(Vz.Trace.Spec.Spec spec, string root) => SpecResolver.Resolve(spec, root, close: false).Paths;

    static TempRoot PerlRoot() => new TempRoot().MergedUsr()
        .File("/usr/bin/perl")
        .File("/usr/share/perl5/HTTP/Date.pm")
        .File("/usr/share/perl5/HTTP/Status.pm")
        .File("/usr/share/perl5/HTTP/README")
        .File("/usr/share/perl5/Time/Local.pm")
        .File("/usr/share/doc/perl/copyright")
        .File("/usr/share/doc/perl/changelog.gz")
        .File("/usr/lib/x86_64-linux-gnu/libperl.so.5.36.0")
        .Link("/usr/lib/x86_64-linux-gnu/libperl.so.5.36", "libperl.so.5.36.0");

    [Fact]
    public void ListedPathsThatExistAreKeptAndMissingOnesDropped()
    {
        using var root = PerlRoot();
        var paths = Expand(Parse("/usr/bin/perl\n/usr/bin/missing\n/usr/share/doc/perl\n"), root.Path);
        Assert.Equal(["/usr/bin/perl", "/usr/share/doc/perl"], paths);
    }

    [Fact]
    public void IncludeAndExcludeGlobsApplyInOrderTheLastMatchingLineDeciding()
    {
        using var root = PerlRoot();
        var spec = Parse("""
            /usr/bin/perl
            /usr/share/doc/perl/copyright
            + /usr/share/perl5/**/*.pm
            - /usr/share/doc/**
            - /usr/share/perl5/Time/*
            + /usr/share/doc/perl/copyright
            """);
        Assert.Equal(
            ["/usr/bin/perl", "/usr/share/doc/perl/copyright", "/usr/share/perl5/HTTP/Date.pm", "/usr/share/perl5/HTTP/Status.pm"],
            Expand(spec, root.Path));
    }

    [Fact]
    public void GlobThroughASymlinkedDirectoryYieldsCanonicalPathsAndTheLink()
    {
        using var root = PerlRoot();
        var paths = Expand(Parse("+ /lib/x86_64-linux-gnu/libperl.so*\n"), root.Path);
        Assert.Equal(
            ["/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu/libperl.so.5.36", "/usr/lib/x86_64-linux-gnu/libperl.so.5.36.0"],
            paths);
    }

    [Fact]
    public void GlobNeverWalksThroughASymlinkOutOfTheRoot()
    {
        // On the host "/" is full of files; inside the root the link must stay one entry.
        using var root = PerlRoot().Link("/usr/share/perl5/escape", "/");
        var paths = Expand(Parse("+ /usr/share/**\n"), root.Path);
        Assert.Contains("/usr/share/perl5/escape", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/usr/share/perl5/escape/", StringComparison.Ordinal));
        Assert.Equal(7, paths.Count);
    }

    [Fact]
    public void ExpandingTwiceGivesTheSameList()
    {
        using var root = PerlRoot();
        var spec = Parse("/usr/bin/perl\n+ /usr/**\n- /usr/share/doc/**\n");
        Assert.Equal(Expand(spec, root.Path), Expand(spec, root.Path));
    }

    [Fact]
    public void GlobWithoutWildcardsAddsThatOnePathEvenADirectory()
    {
        using var root = PerlRoot();
        var paths = Expand(Parse("+ /usr/share/perl5/HTTP\n+ /lib/x86_64-linux-gnu/libperl.so.5.36\n+ /usr/share/none\n"), root.Path);
        Assert.Equal(["/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu/libperl.so.5.36", "/usr/share/perl5/HTTP"], paths);
    }
}
