using Vz.Fs;
using Vz.Trace.Closure;
using Vz.Trace.Tests.Closure;

namespace Vz.Integration.Tests.Trace;

/// <summary>
/// The closure is right when a program runs with nothing else: copy exactly the closure
/// into an empty root and run the program there with chroot(8).
/// </summary>
public class ClosureRunsTests
{
    /// <summary>Copies paths from one root to another: links as links, directories as empty directories.</summary>
    static void CopyClosure(string fromRoot, IEnumerable<string> paths, TempRoot to)
    {
        var from = new RootFs(fromRoot);
        foreach (var p in paths)
        {
            var source = from.HostPath(p);
            switch (from.Stat(p)?.Type)
            {
                case UnixFileType.Symlink: to.Link(p, new FileInfo(source).LinkTarget!); break;
                case UnixFileType.Directory: to.Dir(p); break;
                case UnixFileType.Regular: to.Copy(source, p); break;
            }
        }
    }

    /// <summary>
    /// Runs inside the root with what a container runtime would add: a /dev/null node
    /// (perl -e opens it) and a plain environment (LANG=C needs no locale files).
    /// </summary>
    static ProcessResult Chroot(TempRoot root, params string[] command)
    {
        root.Dir("/dev");
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "mknod", "-m", "666", root.Host("/dev/null"), "c", "1", "3");
        return ProcessRunner.Run(new ProcessSpec("chroot", [root.Path, .. command])
        {
            Environment = new Dictionary<string, string?> { ["LANG"] = "C", ["LC_ALL"] = null, ["LANGUAGE"] = null },
            Timeout = TimeSpan.FromSeconds(30),
        });
    }

    [Fact]
    public void HostPerlRunsFromItsClosureAlone()
    {
        var closure = ClosureResolver.Resolve(["/usr/bin/perl"], new ClosureOptions { IncludeNss = false });
        using var root = new TempRoot();
        CopyClosure("/", closure.Paths, root);
        var run = Chroot(root, "/usr/bin/perl", "-e", "print 6*7, qq{\\n}");
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal("42\n", run.StdOut);
    }

    [Fact]
    public void EnvSplitStringScriptRunsFromAMinifiedRootfs()
    {
        // A source rootfs as minify sees one: merged /usr, an absolute loader link, unrelated files.
        using var source = new TempRoot().MergedUsr()
            .Copy("/usr/bin/env", "/usr/bin/env")
            .Copy("/usr/bin/dash", "/usr/bin/dash")
            .Link("/usr/bin/sh", "dash")
            .Copy("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6")
            .Copy("/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
            .Link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
            .File("/usr/share/doc/dash/copyright", "unrelated")
            .File("/opt/hello.sh", "#!/usr/bin/env -S sh -e\necho \"hello from $0\"\n", executable: true);
        var closure = ClosureResolver.Resolve(["/opt/hello.sh"], new ClosureOptions { Root = source.Path, IncludeNss = false });
        Assert.Empty(closure.Warnings);
        Assert.DoesNotContain("/usr/share/doc/dash/copyright", closure.Paths);

        using var minimal = new TempRoot();
        CopyClosure(source.Path, closure.Paths, minimal);
        var run = Chroot(minimal, "/opt/hello.sh");
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal("hello from /opt/hello.sh\n", run.StdOut);
    }
}
