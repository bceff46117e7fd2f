using Vz.Trace.Strace;
using static Vz.Trace.Tests.Strace.StraceFixtures;

namespace Vz.Trace.Tests.Strace;

public class AccessTrackerTests
{
    [Fact]
    public void PerlHttpDateTraceFindsTheModulesItLoaded()
    {
        var r = Track("perl-http-date-with-stat.log");
        Assert.Contains("/usr/share/perl5/HTTP/Date.pm", r.Paths);
        Assert.Contains("/usr/share/perl/5.36/Time/Local.pm", r.Paths);
        Assert.Contains("/lib/x86_64-linux-gnu/libc.so.6", r.Paths);
        Assert.Equal(["/usr/bin/perl"], r.Executed);
        Assert.False(r.Truncated);
    }

    [Fact]
    public void FailedCallsAreNotReported()
    {
        var r = Track("perl-http-date-with-stat.log", new() { WithStat = true });
        Assert.DoesNotContain("/etc/ld.so.preload", r.Paths);
        Assert.DoesNotContain("/usr/lib/locale/C.UTF-8/LC_CTYPE", r.Paths);
        Assert.Contains("/usr/lib/locale/C.utf8/LC_CTYPE", r.Paths);
    }

    [Fact]
    public void StatCallsCountOnlyWithStat()
    {
        // perl reads its own path with readlink("/proc/self/exe") and opens nothing there.
        Assert.DoesNotContain("/proc/self/exe", Track("perl-http-date-with-stat.log").Paths);
        var withStat = Track("perl-http-date-with-stat.log", new() { InitialCwd = "/tmp/vz-trace-capture", WithStat = true });
        Assert.Contains("/proc/self/exe", withStat.Paths);
        Assert.DoesNotContain("", withStat.Paths);
    }

    [Fact]
    public void AStatThatFoundADirectoryKeepsTheDirectoryWithoutWithStat()
    {
        // Python's -nspkg.pth lines look a namespace package's directory up with stat only;
        // without it in the bundle, site.py prints a traceback at every start.
        var events = ParseText("""
            10  newfstatat(AT_FDCWD</app>, "/usr/lib/python3/dist-packages/ruamel", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0
            10  statx(AT_FDCWD</app>, "/srv/data", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|0700, stx_size=4096, ...}) = 0
            10  newfstatat(AT_FDCWD</app>, "/etc/hostname", {st_mode=S_IFREG|0644, st_size=8, ...}, 0) = 0
            10  newfstatat(AT_FDCWD</app>, "/nope", 0x7ffc, 0) = -1 ENOENT (No such file or directory)
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/app" });
        Assert.Equal(["/srv/data", "/usr/lib/python3/dist-packages/ruamel"], r.Paths);
        var withStat = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/app", WithStat = true });
        Assert.Equal(["/etc/hostname", "/srv/data", "/usr/lib/python3/dist-packages/ruamel"], withStat.Paths);
    }

    [Fact]
    public void PythonTraceFindsJsonAndSqliteModulesAndDirectories()
    {
        var r = Track("python3-json-sqlite3.log");
        Assert.Contains("/usr/lib/python3.11/lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so", r.Paths);
        Assert.Contains("/usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc", r.Paths);
        Assert.Contains("/usr/lib/python3.11/sqlite3", r.Paths);
        Assert.Contains("/lib/x86_64-linux-gnu/libsqlite3.so.0", r.Paths);
        Assert.Equal(["/usr/bin/python3"], r.Executed);
        Assert.All(r.Paths, p => Assert.StartsWith("/", p));
    }

    [Fact]
    public void SubshellCdResolvesRelativeOpensAgainstTheChildsOwnCwd()
    {
        var r = Track("shell-subshell-cd.log");
        Assert.Contains("/etc/ssl/openssl.cnf", r.Paths);
        Assert.Contains("/etc/hostname", r.Paths);
        Assert.Contains("/etc/passwd", r.Paths);
        Assert.Contains("/etc/ssl", r.Paths);
        // "certs/../openssl.cnf" folds lexically; nothing lands under the start cwd.
        Assert.DoesNotContain(r.Paths, p => p.Contains("..") || p.Contains("/certs"));
        Assert.DoesNotContain(r.Paths, p => p.StartsWith("/tmp/vz-trace-capture/", StringComparison.Ordinal));
        Assert.Equal(["/usr/bin/cat", "/usr/bin/sh"], r.Executed);
    }

    [Fact]
    public void ThreadsResolveRelativeOpensAgainstTheCwdTheyShare()
    {
        var r = Track("pthreads-relative-opens.log");
        Assert.Contains("/usr/share/perl5/HTTP/Date.pm", r.Paths);
        Assert.Contains("/etc/group", r.Paths);
        Assert.Contains("/etc/hostname", r.Paths);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Strace5FormatWithoutCwdAnnotationsUsesTheTrackedCwd()
    {
        var r = Track("handwritten-strace5-format.log", new() { InitialCwd = "/home/u/proj", WithStat = true });
        Assert.Equal(
            ["/etc/ld.so.cache", "/home/u/proj/README", "/home/u/proj/lib", "/home/u/proj/lib/config.h",
             "/home/u/proj/lib/util.h", "/home/u/proj/src", "/home/u/proj/src/Makefile",
             "/home/u/proj/src/sub/x.c", "/home/u/proj/src/sub/y.c"],
            r.Paths);
        Assert.Equal(["/bin/sh", "/home/u/proj/lib/gen.sh", "/usr/bin/make"], r.Executed);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void ChildSeenBeforeItsParentsCloneReturnsInheritsTheParentsCwd()
    {
        var events = ParseText("""
            1  chdir("/srv") = 0
            1  clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
            2  openat(AT_FDCWD, "data", O_RDONLY) = 3
            1  <... clone resumed>) = 2
            1  chdir("/") = 0
            3  openat(AT_FDCWD, "orphan", O_RDONLY) = 3
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/" });
        Assert.Contains("/srv/data", r.Paths);
        Assert.DoesNotContain(r.Paths, p => p.EndsWith("orphan", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.Contains("process 3"));
    }

    [Fact]
    public void ChrootModeReportsOnlyPathsInsideTheRoot()
    {
        var r = Track("chroot-busybox-cat.log", new()
        {
            InitialCwd = "/tmp/vz-trace-capture",
            ChrootRoot = "/tmp/vz-trace-capture/root",
        });
        // chroot(1) itself, its libc and locale files are host files: not the image's business.
        Assert.Equal(["/etc/hostname"], r.Paths);
        Assert.Equal(["/bin/busybox"], r.Executed);
    }

    [Fact]
    public void TheExecutableIsTheFirstProgramRunAfterTheChrootOrAtTheStart()
    {
        var chrooted = Track("chroot-busybox-cat.log", new() { InitialCwd = "/tmp/vz-trace-capture", ChrootRoot = "/tmp/vz-trace-capture/root" });
        Assert.Equal("/bin/busybox", chrooted.Executable);
        // sh runs cat later: the command is still sh.
        var shell = Track("shell-subshell-cd.log");
        Assert.Equal("/usr/bin/sh", shell.Executable);
        Assert.Contains("/usr/bin/cat", shell.Executed);
        // execvp tries PATH directories in turn: the failed ones are not it.
        var events = ParseText("""
            1  execve("/home/u/.local/bin/python3", ["python3"], 0x7ffc /* 3 vars */) = -1 ENOENT (No such file or directory)
            1  execve("/home/u/.pyenv/shims/python3", ["python3"], 0x7ffc /* 3 vars */) = 0
            1  execve("/home/u/.pyenv/versions/3.12.1/bin/python3", ["python3"], 0x7ffc /* 3 vars */) = 0
            """);
        Assert.Equal("/home/u/.pyenv/shims/python3", AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/" }).Executable);
    }

    [Fact]
    public void ChrootedProcessesDirfdPathsAreMappedIntoTheRoot()
    {
        var events = ParseText("""
            1  chroot("/r") = 0
            1  chdir("/app") = 0
            1  openat(AT_FDCWD</r/app>, "conf/x", O_RDONLY) = 3</r/app/conf/x>
            1  openat(3</r/app/conf>, "y", O_RDONLY) = 4</r/app/conf/y>
            1  openat(3</elsewhere>, "z", O_RDONLY) = 5</elsewhere/z>
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/", ChrootRoot = "/r" });
        Assert.Equal(["/app", "/app/conf/x", "/app/conf/y"], r.Paths);
        Assert.Contains(r.Warnings, w => w.Contains("\"z\"") || w.Contains(" z:"));
    }

    [Fact]
    public void HostModeReportsAChrootedProgramsPathsAsHostPaths()
    {
        var events = ParseText("""
            1  chroot("/r") = 0
            1  openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3
            """);
        Assert.Equal(["/r/etc/passwd"], AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/" }).Paths);
    }

    [Fact]
    public void OddFileNamesAreKeptLosslessly()
    {
        var r = Track("odd-filenames.log");
        Assert.Contains("/tmp/vz-trace-capture/odd/quote\"d.txt", r.Paths);
        Assert.Contains("/tmp/vz-trace-capture/odd/new\nline.txt", r.Paths);
        var latin1 = Assert.Single(r.Paths, p => p.Contains("latin1-"));
        Assert.Equal([.. "/tmp/vz-trace-capture/odd/latin1-"u8, 0xE9, 0xFF, 0xFE, .. ".txt"u8], StraceString.ToBytes(latin1));
    }

    [Fact]
    public void TruncatedPathsWarnAndAreLeftOut()
    {
        var events = ParseText("""
            1  openat(AT_FDCWD, "/usr/share/perl5"..., O_RDONLY) = 3
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/" });
        Assert.True(r.Truncated);
        Assert.Empty(r.Paths);
        Assert.Contains(r.Warnings, w => w.Contains("strace -s"));
    }

    [Fact]
    public void RelativePathWithUnknownCwdWarnsInsteadOfGuessing()
    {
        var r = AccessTracker.Track(ParseText("""1  openat(AT_FDCWD, "x", O_RDONLY) = 3"""), new TrackerOptions());
        Assert.Empty(r.Paths);
        Assert.Single(r.Warnings);
    }
}
