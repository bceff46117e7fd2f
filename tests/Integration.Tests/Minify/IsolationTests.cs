using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// `vzbuild minify` traces the image's program in its own namespaces, as a container would:
/// it is pid 1 of its own pid namespace with its own procfs, gets a /dev without host disks and
/// only loopback, and nothing stays mounted on the host afterwards.
/// </summary>
public sealed class IsolationTests : IDisposable
{
    readonly ScratchDir dir = new("minify-isolation");

    public void Dispose() => dir.Dispose();

    ProcessResult Minify(string from, string[] options, string script) =>
        Vzbuild.Run(["minify", "--from", from, "-o", dir["out"], "-t", $"localhost/{dir.Id}:1", .. options,
            "--", "/bin/busybox", "sh", "-c", script]);

    string Archive() => new HostileArchive().WithBusybox().Write(dir["image.tar"]);

    /// <summary>Mount points at or below the scratch directory, as the host sees them.</summary>
    List<string> HostMountsUnder() => File.ReadLines("/proc/self/mountinfo")
        .Select(l => l.Split(' ')[4])
        .Where(p => p.StartsWith(dir.Path, StringComparison.Ordinal))
        .ToList();

    [Fact]
    public void TracedProgramIsPidOneOfItsOwnNamespaceAndItsProcShowsOnlyItsTree()
    {
        var r = Minify(Archive(), [], "echo pid=$$; ls /proc | grep -c '^[0-9]'; tr '\\0' ' ' < /proc/1/cmdline; echo; ls /proc/1/root");
        Assert.Equal(0, r.ExitCode);
        var lines = r.StdOut.Split('\n');
        Assert.Equal("pid=1", lines[0]);
        // sh, ls and grep: never the host's hundreds of processes.
        Assert.InRange(int.Parse(lines[1].Trim()), 1, 4);
        Assert.StartsWith("/bin/busybox sh -c echo pid=$$;", lines[2]);
        // /proc/1/root is the image's root (bin, dev, proc only), not the host's with /usr and /work.
        Assert.Equal(["bin", "dev", "proc"], lines.Skip(3).Where(l => l.Length > 0));
        Assert.Empty(HostMountsUnder());
    }

    [Fact]
    public void DevHasTheUsualDevicesButNoHostDisks()
    {
        var r = Minify(Archive(), [], "ls /dev; head -c 3 /dev/urandom | wc -c");
        Assert.Equal(0, r.ExitCode);
        var names = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal(["fd", "full", "null", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero", "3"], names);
        Assert.True(Directory.EnumerateFileSystemEntries("/dev", "loop*").Any(), "the host has /dev/loop*, so their absence inside says something");
        Assert.Empty(HostMountsUnder());
    }

    [Fact]
    public void NetworkIsOnlyLoopbackUnlessHostNetworkIsAsked()
    {
        static List<string> Interfaces(string procNetDev) => procNetDev.Split('\n').Skip(2)
            .Select(l => l.Split(':')[0].Trim()).Where(n => n.Length > 0).Order(StringComparer.Ordinal).ToList();
        var isolated = Minify(Archive(), [], "cat /proc/net/dev");
        Assert.Equal(0, isolated.ExitCode);
        Assert.Equal(["lo"], Interfaces(isolated.StdOut));

        // Test nodes of other tests come and go meanwhile: compare with the host's interfaces
        // that were there both before and after the run.
        var before = Interfaces(File.ReadAllText("/proc/net/dev"));
        var host = Minify(Archive(), ["--host-network"], "cat /proc/net/dev");
        var stable = before.Intersect(Interfaces(File.ReadAllText("/proc/net/dev"))).ToList();
        Assert.Equal(0, host.ExitCode);
        Assert.Subset(Interfaces(host.StdOut).ToHashSet(), stable.ToHashSet());
        Assert.True(stable.Count > 1, "the host has interfaces besides lo");
    }

    [Fact]
    public void RootfsDirectoryIsTracedThroughAnOverlayAndNothingStaysMounted()
    {
        var source = Directory.CreateDirectory(dir["rootfs"]).FullName;
        Directory.CreateDirectory(Path.Combine(source, "bin"));
        File.Copy(Tools.Require("busybox"), Path.Combine(source, "bin", "busybox"));
        var before = ScratchDir.Listing(source);

        var r = Minify(source, [], "echo pid=$$; echo written > /made-while-traced; ls /dev | grep -c .");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("pid=1\n", r.StdOut);
        // Neither the program's write nor the /proc and /dev mount points reached the user's directory.
        Assert.Equal(before, ScratchDir.Listing(source));
        Assert.Empty(HostMountsUnder());
        Assert.False(Directory.Exists(dir["out/.work"]));
    }
}
