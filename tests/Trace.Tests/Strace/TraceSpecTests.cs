using Vz.Trace.Spec;
using Vz.Trace.Strace;
using static Vz.Trace.Tests.Strace.StraceFixtures;

namespace Vz.Trace.Tests.Strace;

public class TraceSpecTests
{
    [Fact]
    public void NamesASpecCannotHoldAreLeftOutWithAWarningEach()
    {
        var (paths, warnings) = TraceSpec.Writable(Track("odd-filenames.log"));
        Assert.Contains("/tmp/vz-trace-capture/odd/with space.txt", paths);
        Assert.Contains("/tmp/vz-trace-capture/odd/quote\"d.txt", paths);
        Assert.Contains("/tmp/vz-trace-capture/odd/utf8-\u00e9.txt", paths);
        Assert.Contains("/usr/bin/perl", paths);
        Assert.DoesNotContain(paths, p => p.Contains("latin1-") || p.Contains('\n'));
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("latin1-\\xe9\\xff\\xfe.txt"));
    }

    [Fact]
    public void KeptNamesSurviveTheSpecFileRoundTrip()
    {
        var (paths, _) = TraceSpec.Writable(Track("odd-filenames.log"));
        var spec = Vz.Trace.Spec.Spec.FromPaths(paths, ["perl", "odd-names.pl"])
            with { WorkingDirectory = "/tmp/vz-trace-capture", Executable = "/usr/bin/perl" };
        var back = SpecFormat.Parse(new StringReader(SpecFormat.ToText(spec)), "odd.spec");
        Assert.Equal(spec.Paths, back.Paths);
        Assert.Equal(["perl", "odd-names.pl"], back.Command);
        Assert.Equal("/tmp/vz-trace-capture", back.WorkingDirectory);
        Assert.Equal("/usr/bin/perl", back.Executable);
    }
}
