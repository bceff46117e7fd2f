using Vz.Trace.Strace;

namespace Vz.Trace.Tests.Strace;

/// <summary>The strace command line, without running it (TracerTests in Integration.Tests run the real strace).</summary>
public class TracerArgsTests
{
    [Fact]
    public void StraceArgsPutChrootBeforeTheCommandAndStatCallsOnlyWhenAsked()
    {
        var args = Tracer.StraceArgs(new TraceOptions { Command = ["ls", "-l"], Root = "/r" }, "/tmp/log");
        var run = args.SkipWhile(a => a != "--").ToList();
        Assert.Equal(["--", "unshare"], run.Take(2));
        Assert.Equal(["/r", "mount", "cp", "mkdir", "chroot", "ip", "ls", "-l"], run.TakeLast(8));
        Assert.Contains("-y", args);
        Assert.DoesNotContain(args, a => a.Contains("newfstatat"));
        Assert.Contains(Tracer.StraceArgs(new TraceOptions { Command = ["ls"], WithStat = true }, "/tmp/log"), a => a.Contains("newfstatat"));
    }
}
