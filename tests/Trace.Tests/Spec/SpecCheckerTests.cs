using Vz.Trace.Spec;
using Vz.Trace.Tests.Closure;

namespace Vz.Trace.Tests.Spec;

public class SpecCheckerTests
{
    [Fact]
    public void MissingPathsAndGlobsThatMatchNothingAreReportedWithTheirLines()
    {
        using var root = new TempRoot().File("/usr/bin/perl").File("/usr/share/perl5/HTTP/Date.pm").Link("/usr/bin/dangling", "gone");
        var specFile = root.Host("/perl.spec");
        File.WriteAllText(specFile, """
            # vz-command: ["/usr/bin/perl"]
            + /usr/share/perl5/**/*.pm
            + /usr/share/perl6/**
            - /usr/share/doc/**
            /usr/bin/dangling
            /usr/bin/perl
            /usr/lib/libperl.so
            """);
        var result = SpecChecker.CheckFile(specFile, root.Path);
        Assert.False(result.Ok);
        Assert.Equal([new MissingPath("/usr/lib/libperl.so", 7)], result.MissingPaths);
        Assert.Equal([3, 4], result.EmptyGlobs.Select(g => g.Line));
        Assert.Equal(
            [
                $"{specFile}:7: missing: /usr/lib/libperl.so",
                $"{specFile}:3: matches nothing: + /usr/share/perl6/**",
                $"{specFile}:4: matches nothing: - /usr/share/doc/**",
            ],
            result.Describe(specFile));
    }

    [Fact]
    public void SpecWhosePathsAndGlobsAllExistIsOk()
    {
        using var root = new TempRoot().File("/usr/bin/perl").File("/usr/share/perl5/HTTP/Date.pm");
        var spec = Vz.Trace.Spec.Spec.FromPaths(["/usr/bin/perl"]) with
        {
            Rules = [new SpecRule(true, "/usr/share/perl5/**/*.pm", 2)],
        };
        Assert.True(SpecChecker.Check(spec, root.Path).Ok);
    }
}
