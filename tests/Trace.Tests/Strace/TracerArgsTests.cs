using Vz.Trace.Strace;

namespace Vz.Trace.Tests.Strace;

/// <summary>The strace command line, without running it (TracerTests in Integration.Tests run the real strace).</summary>
public class TracerArgsTests
{
    [Fact]
    public void StraceArgsPutChrootBeforeTheCommandAndAccessCallsOnlyWhenAsked()
    {
        var args = Tracer.StraceArgs(new TraceOptions { Command = ["ls", "-l"], Root = "/r" }, "/tmp/log");
        var run = args.SkipWhile(a => a != "--").ToList();
        Assert.Equal(["--", "unshare"], run.Take(2));
        Assert.Equal(["/r", "mount", "cp", "mkdir", "chroot", "ip", "ls", "-l"], run.TakeLast(8));
        Assert.Contains("-y", args);
        // stat calls are always traced (a directory they find is kept); access and readlink only with --with-stat.
        Assert.Contains(args, a => a.Contains("newfstatat"));
        Assert.DoesNotContain(args, a => a.Contains("readlink"));
        Assert.Contains(Tracer.StraceArgs(new TraceOptions { Command = ["ls"], WithStat = true }, "/tmp/log"), a => a.Contains("readlink"));
    }
}
