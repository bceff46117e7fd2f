using Vz.Trace.Strace;
using static Vz.Trace.Tests.Strace.StraceFixtures;

namespace Vz.Trace.Tests.Strace;

/// <summary>
/// Directories a program makes or expects are kept (mkdir with EEXIST, mkdirat, O_DIRECTORY opens,
/// chdir targets, the directories it made files and sockets in); what it made itself is not.
/// On the real log of fixtures/strace/src/dirs.py.
/// </summary>
public class DirectoryTrackingTests
{
    const string D = "/tmp/vz-trace-capture/dirs";
    static readonly TraceResult Dirs = Track("mkdir-and-friends.log");

    [Theory]
    [InlineData(D + "/cache/body")]      // mkdir -> EEXIST (os.makedirs exist_ok)
    [InlineData(D + "/cache")]           // ... and the directory it is in
    [InlineData(D + "/data")]            // O_DIRECTORY open, the dirfd of mkdirat
    [InlineData(D + "/data/existing")]   // mkdirat -> EEXIST
    [InlineData(D + "/listed")]          // opendir
    [InlineData(D + "/logs/app.log")]    // O_CREAT without O_EXCL: may have been there
    [InlineData(D + "/logs")]
    [InlineData(D + "/run")]             // where an O_EXCL file was made
    [InlineData(D + "/sock")]            // where a socket was bound
    [InlineData(D + "/state")]           // where a temp file was made and renamed
    [InlineData(D + "/work")]            // chdir
    [InlineData(D)]                      // where a directory was made
    public void DirectoriesTheProgramReliedOnAreKept(string path) => Assert.Contains(path, Dirs.Paths);

    [Theory]
    [InlineData(D + "/made")]
    [InlineData(D + "/data/sub")]
    [InlineData(D + "/run/app.pid")]
    [InlineData(D + "/sock/app.sock")]
    [InlineData(D + "/state/.tmp")]
    [InlineData(D + "/state/current")]
    public void WhatTheProgramMadeIsCreatedNotUsed(string path)
    {
        Assert.Contains(path, Dirs.Created);
        Assert.DoesNotContain(path, Dirs.Paths);
    }

    [Fact]
    public void FilesInADirectoryTheProgramMadeAreNeitherUsedNorListedAgain()
    {
        Assert.DoesNotContain(D + "/made/inside.txt", Dirs.Paths);
        Assert.DoesNotContain(D + "/made/inside.txt", Dirs.Created);
    }

    [Fact]
    public void MkdirFailingOtherwiseIsNotAUseAndAPathUsedBeforeItIsMadeStaysUsed()
    {
        var events = ParseText("""
            1  mkdir("/var/lib/app/missing/x", 0700) = -1 ENOENT (No such file or directory)
            1  openat(AT_FDCWD, "/var/lib/app/conf", O_RDONLY) = 3</var/lib/app/conf>
            1  rename("/var/lib/app/new", "/var/lib/app/conf") = 0
            1  bind(4<UNIX:[1]>, {sa_family=AF_UNIX, sun_path=@"abstract"}, 11) = 0
            1  bind(5<TCP:[2]>, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("0.0.0.0")}, 16) = 0
            1  symlinkat("target", AT_FDCWD, "rel/link") = 0
            1  mknodat(AT_FDCWD, "/run/fifo", S_IFIFO|0600) = 0
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/srv" });
        Assert.Equal(["/run", "/srv/rel", "/var/lib/app", "/var/lib/app/conf"], r.Paths);
        Assert.Equal(["/run/fifo", "/srv/rel/link"], r.Created);
    }

    [Fact]
    public void TheDirectoriesOfAChrootedProgramAreReportedInsideTheRoot()
    {
        var events = ParseText("""
            1  chroot("/r") = 0
            1  mkdir("/var/cache/app", 0700) = -1 EEXIST (File exists)
            1  mkdirat(AT_FDCWD</r/srv>, "tmp", 0700) = 0
            """);
        var r = AccessTracker.Track(events, new TrackerOptions { InitialCwd = "/", ChrootRoot = "/r" });
        Assert.Equal(["/srv", "/var/cache", "/var/cache/app"], r.Paths);
        Assert.Equal(["/srv/tmp"], r.Created);
    }
}
