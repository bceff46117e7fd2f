using Vz.Trace.Strace;

namespace Vz.Integration.Tests.Trace;

/// <summary>Runs the real strace on small real programs (a few hundred ms each).</summary>
public sealed class TracerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vz-trace-tracer-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task TracingCatReportsTheFileItReadAndTheProgram()
    {
        var file = Path.Combine(dir, "input \"file\" \\ \u00e9.txt");
        await File.WriteAllTextAsync(file, "hello\n");
        var run = await Tracer.RunAsync(new TraceOptions { Command = ["cat", file] }, new CollectingReporter());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(file, run.Result.Paths);
        Assert.Contains("/usr/bin/cat", run.Result.Executed);
        Assert.DoesNotContain(run.Result.Paths, p => p.StartsWith("/tmp/vz-trace-") && p.EndsWith(".log"));
    }

    [Fact]
    public async Task RelativeOpensAfterCdInAChildResolveAgainstItsCwd()
    {
        var run = await Tracer.RunAsync(new TraceOptions
        {
            Command = ["sh", "-c", "(cd /etc && cat hostname >/dev/null); cat ./here 2>/dev/null; exit 7"],
            WorkingDirectory = dir,
        }, new CollectingReporter());
        Assert.Equal(7, run.ExitCode);
        Assert.Equal(dir, run.WorkingDirectory);
        Assert.Contains("/etc/hostname", run.Result.Paths);
        Assert.DoesNotContain(Path.Combine(dir, "here"), run.Result.Paths);
    }

    [Fact]
    public async Task RootModeReportsPathsInsideTheRootOnly()
    {
        var root = Path.Combine(dir, "root");
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "hostname"), "inside\n");
        // Through a symlink: -y prints kernel-resolved paths, so the tracer must resolve the root.
        var link = Path.Combine(dir, "link");
        File.CreateSymbolicLink(link, root);

        var run = await Tracer.RunAsync(new TraceOptions { Command = ["/bin/busybox", "cat", "/etc/hostname"], Root = link },
            new CollectingReporter());
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("/", run.WorkingDirectory);
        Assert.Equal(["/etc/hostname"], run.Result.Paths);
        Assert.Equal(["/bin/busybox"], run.Result.Executed);
    }

    [Fact]
    public async Task KeepLogLeavesTheRawStraceLog()
    {
        var log = Path.Combine(dir, "trace.log");
        await Tracer.RunAsync(new TraceOptions { Command = ["true"], KeepLog = log, WithStat = true }, new CollectingReporter());
        Assert.Contains("execve(\"/usr/bin/true\"", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task MissingCommandIsATypedErrorBeforeAnythingRuns()
    {
        var e = await Assert.ThrowsAsync<VzException>(() =>
            Tracer.RunAsync(new TraceOptions { Command = ["vz-no-such-program"] }, new CollectingReporter()));
        Assert.Equal("VZ1011", e.Code);
        Assert.Contains("vz-no-such-program", e.Message);
    }

    [Fact]
    public async Task CommandMissingInsideTheRootIsATypedError()
    {
        var e = await Assert.ThrowsAsync<VzException>(() =>
            Tracer.RunAsync(new TraceOptions { Command = ["/bin/sh"], Root = dir }, new CollectingReporter()));
        Assert.Equal("VZ1011", e.Code);
    }

    [Fact]
    public async Task UnwritableLogPathIsATypedError()
    {
        var e = await Assert.ThrowsAsync<VzException>(() =>
            Tracer.RunAsync(new TraceOptions { Command = ["true"], KeepLog = "/proc/vz-nope/log" }, new CollectingReporter()));
        Assert.Equal("VZ1012", e.Code);
    }
}
