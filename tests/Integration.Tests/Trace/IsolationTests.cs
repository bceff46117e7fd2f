using Vz.Trace.Strace;

namespace Vz.Integration.Tests.Trace;

/// <summary>Root mode runs the program in its own namespaces (real strace, unshare, mount; as root).</summary>
public sealed class IsolationTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vz-trace-isolation-").FullName;
    readonly string root;

    public IsolationTests()
    {
        root = Path.Combine(dir, "root");
        foreach (var d in new[] { "bin", "etc", "proc", "dev" })
            Directory.CreateDirectory(Path.Combine(root, d));
        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        File.WriteAllText(Path.Combine(root, "etc", "hostname"), "inside\n");
    }

    public void Dispose()
    {
        // Nothing may be left mounted under the root: a recursive delete would follow it.
        Assert.Empty(MountsUnder(dir));
        Directory.Delete(dir, recursive: true);
    }

    static List<string> MountsUnder(string path) => File.ReadLines("/proc/self/mountinfo")
        .Select(l => l.Split(' ')[4])
        .Where(p => p.StartsWith(path, StringComparison.Ordinal))
        .ToList();

    async Task<(TraceRun Run, string Out)> Trace(string script, bool hostNetwork = false)
    {
        var output = Path.Combine(dir, "out.txt");
        // The program writes its findings into the root; the test reads them from the host.
        var run = await Tracer.RunAsync(new TraceOptions
        {
            Command = ["/bin/busybox", "sh", "-c", "{ " + script + "; } > /out.txt 2>&1"],
            Root = root,
            HostNetwork = hostNetwork,
        }, new CollectingReporter());
        return (run, await File.ReadAllTextAsync(Path.Combine(root, "out.txt")));
    }

    [Fact]
    public async Task TracedProgramIsPidOneAndSeesOnlyItsOwnProcesses()
    {
        var (run, output) = await Trace("echo self=$$; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep '^[0-9]' | wc -l; ls /proc/1/root/");
        Assert.Equal(0, run.ExitCode);
        var lines = output.Split('\n');
        Assert.Equal("self=1", lines[0]);
        Assert.StartsWith("/bin/busybox sh -c", lines[1]);
        // sh (pid 1), ls, and the pipeline's grep and wc: a handful, never the host's hundreds.
        Assert.InRange(int.Parse(lines[2].Trim()), 1, 5);
        // /proc/1/root is the image's root, not the host's.
        Assert.DoesNotContain("usr", lines.Skip(3));
        Assert.Contains("bin", lines.Skip(3));
    }

    [Fact]
    public async Task DevHoldsOnlyTheUsualDevicesAndNoHostDisks()
    {
        var (run, output) = await Trace("ls /dev; echo data > /dev/null && head -c 4 /dev/zero | wc -c");
        Assert.Equal(0, run.ExitCode);
        var names = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToList();
        Assert.Equal(["fd", "full", "null", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero", "4"], names);
        Assert.True(Directory.EnumerateFileSystemEntries("/dev").Any(e => e.StartsWith("/dev/loop") || e.StartsWith("/dev/vd") || e.StartsWith("/dev/sd")),
            "the host has disks, so their absence inside means something");
    }

    [Fact]
    public async Task NetworkIsOnlyLoopbackUnlessHostNetworkIsAsked()
    {
        static List<string> Interfaces(string devFile) => devFile.Split('\n').Skip(2)
            .Select(l => l.Split(':')[0].Trim()).Where(n => n.Length > 0).ToList();
        var (_, isolated) = await Trace("cat /proc/net/dev");
        // Test nodes of other test runs come and go meanwhile: compare with the host's
        // interfaces that were there both before and after.
        var before = Interfaces(File.ReadAllText("/proc/net/dev"));
        var (_, host) = await Trace("cat /proc/net/dev", hostNetwork: true);
        var stable = before.Intersect(Interfaces(File.ReadAllText("/proc/net/dev"))).ToHashSet();
        Assert.Equal(["lo"], Interfaces(isolated));
        Assert.Subset(Interfaces(host).ToHashSet(), stable);
        Assert.True(stable.Count > 1, "the host has interfaces besides lo");
    }

    [Fact]
    public async Task ChildrenInThePidNamespaceKeepTheirCwd()
    {
        var (run, _) = await Trace("cd /etc && /bin/busybox cat hostname && (cd / && /bin/busybox cat etc/hostname)");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("/etc/hostname", run.Result.Paths);
        Assert.Equal(["/bin/busybox"], run.Result.Executed);
        Assert.Empty(run.Result.Warnings);
    }
}
