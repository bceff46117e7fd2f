using Vz.Integration.Tests.Bundle;
using Vz.Integration.Tests.Cli;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Workloads;

/// <summary>
/// Issue 3's four workloads of different kinds, each traced, bundled with its closure, and run
/// under runc and (as an image) under podman: every run prints what the original printed.
/// </summary>
public sealed class WorkloadTests
{
    static string Fixture(string name) => Path.Combine(RepoRoot.Path, "fixtures", "workloads", name);

    static void AssertSameEverywhere(WorkloadOutputs o, string expectedStdout)
    {
        Assert.Equal(expectedStdout, o.Original.StdOut);
        Assert.Equal(o.Original.StdOut, o.Traced.StdOut);
        Assert.True(o.Runc.Ok, "runc: " + Pipeline.Show(o.Runc));
        Assert.Equal(o.Original.StdOut, o.Runc.StdOut);
        Assert.True(o.Podman.Ok, "podman: " + Pipeline.Show(o.Podman));
        Assert.Equal(o.Original.StdOut, o.Podman.StdOut);
    }

    /// <summary>Nothing on stderr either: a bundle that runs but warns (python's missing prefix) is not "the same".</summary>
    static void AssertQuietEverywhere(WorkloadOutputs o)
    {
        Assert.Equal("", o.Original.StdErr);
        Assert.Equal("", o.Runc.StdErr);
        Assert.Equal("", o.Podman.StdErr);
    }

    [Fact]
    public void PerlHttpDateOneLinerPrintsTheSameFromBundleUnderRuncAndImageUnderPodman()
    {
        using var dir = new VarTmpDir("workloads");
        using var podman = new Podman("workloads");
        // A fixed time, and a parse-and-format round trip, so every run prints the same.
        var o = Pipeline.Run(dir, podman, "perl", "perl", "-MHTTP::Date",
            "-e", "print time2str(0), qq{\\n}, time2str(str2time(q{2026-11-25T03:04:05Z})), qq{\\n}");
        AssertSameEverywhere(o, "Thu, 01 Jan 1970 00:00:00 GMT\nWed, 25 Nov 2026 03:04:05 GMT\n");
        AssertQuietEverywhere(o);
    }

    [Fact]
    public void PythonJsonSqliteProgramPrintsTheSameFromBundleUnderRuncAndImageUnderPodman()
    {
        using var dir = new VarTmpDir("workloads");
        using var podman = new Podman("workloads");
        File.Copy(Fixture("py-sqlite.py"), dir["py-sqlite.py"]);
        // /usr/bin/python3 by path: a developer's PATH may put a pyenv shim first.
        var o = Pipeline.Run(dir, podman, "python", "/usr/bin/python3", "py-sqlite.py");
        AssertSameEverywhere(o,
            """{"fruit": [{"name": "fig", "price": 7}, {"name": "pear", "price": 5}, {"name": "apple", "price": 3}], "total": 15}""" + "\n");
        AssertQuietEverywhere(o);
    }

    [Fact]
    public void DynamicallyLinkedCProgramCompiledHerePrintsTheSameFromBundleUnderRuncAndImageUnderPodman()
    {
        using var dir = new VarTmpDir("workloads");
        using var podman = new Podman("workloads");
        Tools.Checked("gcc", "-O1", "-o", dir["hello"], Fixture("hello.c"), "-lm");
        var o = Pipeline.Run(dir, podman, "c", "./hello", "vz");
        // getpwuid(0) answers "root" only if the closure brought NSS (nsswitch.conf, libnss_files, passwd).
        AssertSameEverywhere(o, "hello from vz: sqrt(42) = 6.481, uid 0 is root\n");
        AssertQuietEverywhere(o);
    }

    [Fact]
    public void BusyboxHttpdServesTheSameFileInTheBundleUnderRuncAndInTheImageToTheHost()
    {
        using var dir = new VarTmpDir("workloads");
        using var podman = new Podman("workloads");
        Directory.CreateDirectory(dir["www"]);
        File.WriteAllText(dir["www/index.html"], "served by vz\n");
        // The traced command starts httpd, fetches the file over loopback, and stops httpd:
        // it runs the same way in runc's own network namespace (runc brings up lo). The original
        // and traced runs are on the host's network, so the port is a free one, not a fixed one.
        var inner = ImageRunTests.FreePort();
        var script = $$"""
            busybox httpd -f -p 127.0.0.1:{{inner}} -h www &
            for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
              busybox wget -q -O - http://127.0.0.1:{{inner}}/index.html 2>/dev/null && break; busybox sleep 0.1
            done
            kill $!
            """;
        var o = Pipeline.Run(dir, podman, "httpd", "busybox", "sh", "-c", script);
        AssertSameEverywhere(o, "served by vz\n");

        // The same image, run as just the server, answers the host through a published port.
        var port = ImageRunTests.FreePort();
        var name = podman.TrackContainer(dir.Id + "-httpd");
        podman.Checked("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:8080", o.Image,
            "busybox", "httpd", "-f", "-p", "8080", "-h", dir["www"]);
        Assert.Equal("served by vz\n", ImageRunTests.Fetch($"http://127.0.0.1:{port}/index.html"));
    }
}
