using System.Text;
using Vz.Trace.Strace;
using static Vz.Trace.Tests.Strace.StraceFixtures;

namespace Vz.Trace.Tests.Strace;

public class StraceParserTests
{
    [Fact]
    public void EveryRealFixtureParsesWithoutNotices()
    {
        foreach (var file in Directory.GetFiles(Dir, "*.log"))
        {
            var events = Parse(Path.GetFileName(file));
            Assert.NotEmpty(events.OfType<SyscallEvent>());
            Assert.Empty(events.OfType<NoticeEvent>());
        }
    }

    [Fact]
    public void AnFdWhoseFileWasUnlinkedKeepsItsPath()
    {
        // strace 6 appends "(deleted)" after the fd path of an unlinked file.
        var call = Assert.Single(ParseText("""
            7  newfstatat(0</tmp/scratch>(deleted), "", {st_mode=S_IFREG|0644, st_size=0, ...}, AT_EMPTY_PATH) = 0
            """).OfType<SyscallEvent>());
        Assert.Equal(0, call.Args[0].Fd);
        Assert.Equal("/tmp/scratch", call.Args[0].Text);
    }

    [Fact]
    public void UnfinishedAndResumedCallsOfInterleavedThreadsAreMerged()
    {
        var opens = Parse("pthreads-relative-opens.log").OfType<SyscallEvent>().Where(e => e.Name == "openat").ToList();
        // Each of the four threads opens its file 20 times; unfinished halves must not be lost or doubled.
        Assert.Equal(20, opens.Count(e => e.Args[1].Text == "../usr/share/perl5/HTTP/Date.pm"));
        Assert.Equal(20, opens.Count(e => e.Args[1].Text == "hostname"));
        Assert.All(opens.Where(e => e.Args[1].Text == "group"), e => Assert.Equal("/etc/group", e.Result.Path));
        var clone3 = Parse("pthreads-relative-opens.log").OfType<SyscallEvent>().Where(e => e.Name == "clone3").ToList();
        Assert.Equal(4, clone3.Count);
        Assert.All(clone3, e => Assert.Contains("CLONE_FS", e.Args[0].Raw));
    }

    [Fact]
    public void ResumedLineIsMergedWithTheUnfinishedCallOfTheSamePid()
    {
        var events = ParseText("""
            10  openat(AT_FDCWD</a>, "x", O_RDONLY <unfinished ...>
            11  openat(AT_FDCWD</b>, "y", O_RDONLY <unfinished ...>
            10  <... openat resumed>)             = 3</a/x>
            11  <... openat resumed> )            = -1 ENOENT (No such file or directory)
            """).Cast<SyscallEvent>().ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal((10, "x", "/a", "/a/x"), (events[0].Pid, events[0].Args[1].Text, events[0].Args[0].Text, events[0].Result.Path));
        Assert.Equal(3, events[0].Line);
        Assert.Equal((11, "ENOENT", false), (events[1].Pid, events[1].Result.Errno, events[1].Result.Ok));
    }

    [Fact]
    public void EscapedFileNamesDecodeToTheirRealBytes()
    {
        var names = Parse("odd-filenames.log").OfType<SyscallEvent>()
            .Where(e => e.Name == "openat" && e.Args[1].Text is { } t && !t.StartsWith('/'))
            .Select(e => e.Args[1].Text!).ToHashSet();
        Assert.Contains("with space.txt", names);
        Assert.Contains("quote\"d.txt", names);
        Assert.Contains("back\\slash.txt", names);
        Assert.Contains("tab\there.txt", names);
        Assert.Contains("new\nline.txt", names);
        Assert.Contains("utf8-\u00e9.txt", names);
        var latin1 = Assert.Single(names, n => n.StartsWith("latin1-", StringComparison.Ordinal));
        Assert.False(StraceString.IsUtf8(latin1));
        Assert.Equal([.. "latin1-"u8, 0xE9, 0xFF, 0xFE, .. ".txt"u8], StraceString.ToBytes(latin1));
        Assert.Equal("latin1-\\xe9\\xff\\xfe.txt", StraceString.Display(latin1));
    }

    [Theory]
    [InlineData(@"a\""b", "a\"b")]
    [InlineData(@"a\\b", "a\\b")]
    [InlineData(@"\n\t\v\f\r", "\n\t\v\f\r")]
    [InlineData(@"\0\1\12\123", "\0\u0001\n\u0053")]
    [InlineData(@"\0001", "\u00001")]
    [InlineData(@"\x41\x7f\x7F", "A\u007f\u007f")]
    [InlineData(@"\303\251", "\u00e9")]
    public void UnescapeUndoesEveryStraceEscape(string escaped, string expected)
    {
        Assert.Equal(expected, StraceString.FromBytes(StraceString.Unescape(escaped, 1)));
    }

    [Fact]
    public void NonUtf8BytesRoundTripThroughText()
    {
        byte[] all = Enumerable.Range(1, 255).Select(b => (byte)b).ToArray();
        Assert.Equal(all, StraceString.ToBytes(StraceString.FromBytes(all)));
        var emoji = "dir/\U0001F600.txt";
        Assert.Equal(Encoding.UTF8.GetBytes(emoji), StraceString.ToBytes(emoji));
        Assert.True(StraceString.IsUtf8(emoji));
    }

    [Fact]
    public void Strace6PrintsPathsWholeEvenWhenDashSIsTooSmall()
    {
        // Captured with -s 16: strace cuts argv strings but prints paths up to PATH_MAX.
        var calls = Parse("truncated-strings-s16.log").OfType<SyscallEvent>().ToList();
        var exec = calls.First(e => e.Name == "execve");
        Assert.Contains("\"/usr/share/perl5\"...", exec.Args[1].Raw);
        Assert.False(exec.Truncated);
        Assert.DoesNotContain(calls, e => e.Truncated);
        Assert.Contains(calls, e => e.Name == "openat" && e.Args[1].Text == "/usr/share/perl5/HTTP/Date.pm");
    }

    [Fact]
    public void PathStringFollowedByDotsFlagsTheEventTruncated()
    {
        var call = Assert.IsType<SyscallEvent>(Assert.Single(ParseText("""
            9  openat(AT_FDCWD, "/usr/share/perl5"..., O_RDONLY) = 3
            """)));
        Assert.True(call.Truncated);
        Assert.Equal("/usr/share/perl5", call.Args[1].Text);
    }

    [Fact]
    public void SignalAndExitLinesBecomeTheirOwnEvents()
    {
        var events = Parse("exit-and-kill-lines.log");
        Assert.Contains(events, e => e is ExitEvent { KilledBy: "SIGKILL", ExitCode: null });
        Assert.Contains(events, e => e is ExitEvent { ExitCode: 3 });
        Assert.Contains(events, e => e is SignalEvent { Signal: "SIGCHLD" });
        // The killed child died inside openat: "= ?" is neither success nor errno.
        var died = events.OfType<SyscallEvent>().Single(e => e.Result.Value is null);
        Assert.False(died.Result.Ok);
    }

    [Fact]
    public void Strace6DirfdAndExecveFormsAreDecoded()
    {
        var events = ParseText("""
            7  execve("/bin/ls", ["ls"], 0x7ffd /* 20 vars */) = 0
            7  openat(3</usr/lib>, "x", O_RDONLY) = 4</usr/lib/x>
            7  openat(AT_FDCWD</my \x3ecwd>, "y", O_RDONLY) = 5</my \x3ecwd/y>
            """).Cast<SyscallEvent>().ToList();
        Assert.Equal("/bin/ls", events[0].Args[0].Text);
        Assert.Equal(3, events[0].Args.Count);
        Assert.Equal((3, "/usr/lib"), (events[1].Args[0].Fd!.Value, events[1].Args[0].Text!));
        Assert.Equal((StraceArg.AtFdCwd, "/my >cwd"), (events[2].Args[0].Fd!.Value, events[2].Args[0].Text!));
        Assert.Equal("/my >cwd/y", events[2].Result.Path);
    }

    [Fact]
    public void PidPrefixFormsAreAllRead()
    {
        var events = ParseText("""
            chdir("/a") = 0
            [pid  42] chdir("/b") = 0
            43    chdir("/c") = 0
            """).Cast<SyscallEvent>().ToList();
        Assert.Equal([0, 42, 43], events.Select(e => e.Pid));
    }

    [Fact]
    public void SyscallsVzDoesNotFollowAreSkipped()
    {
        var events = ParseText("""
            5  read(3</x>, "\177ELF\2\1", 832) = 832
            5  mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f3878aeb000
            5  futex(0x7f, FUTEX_WAIT <unfinished ...>
            5  <... futex resumed>) = 0
            5  openat(AT_FDCWD, "/etc/hosts", O_RDONLY) = 3
            """);
        var call = Assert.IsType<SyscallEvent>(Assert.Single(events));
        Assert.Equal("/etc/hosts", call.Args[1].Text);
    }

    [Fact]
    public void CallLeftUnfinishedAtTheEndIsANotice()
    {
        var events = ParseText("""
            5  openat(AT_FDCWD, "/etc/hosts", O_RDONLY <unfinished ...>
            """);
        var notice = Assert.IsType<NoticeEvent>(Assert.Single(events));
        Assert.Equal(1, notice.Line);
    }

    [Fact]
    public void CallCutShortByTheProcessDyingIsDroppedQuietly()
    {
        var events = ParseText("""
            5  openat(AT_FDCWD, "/etc/hosts", O_RDONLY <unfinished ...>
            5  +++ killed by SIGKILL +++
            """);
        Assert.Equal("SIGKILL", Assert.IsType<ExitEvent>(Assert.Single(events)).KilledBy);
    }

    [Theory]
    [InlineData("hello world", 2)]
    [InlineData("5  openat(AT_FDCWD, \"/etc/hosts, O_RDONLY) = 3", 2)]
    [InlineData("5  openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY = 3", 2)]
    [InlineData("5  openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY)", 2)]
    [InlineData("5  openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = three", 2)]
    [InlineData("5  openat(AT_FDCWD, \"/etc/\\qhosts\", O_RDONLY) = 3", 2)]
    [InlineData("5  openat(AT_FDCWD</x, \"/etc/hosts\", O_RDONLY) = 3", 2)]
    [InlineData("5  +++ exited with lots +++", 2)]
    [InlineData("5  --- SIGCHLD {si_signo=SIGCHLD}", 2)]
    public void MalformedLinesThrowTheTypedErrorNamingTheLine(string bad, int expectedLine)
    {
        var e = Assert.Throws<StraceParseException>(() => ParseText("5  chdir(\"/\") = 0\n" + bad));
        Assert.Equal(expectedLine, e.LineNumber);
        Assert.StartsWith("VZ100", e.Code);
        Assert.Contains($"line {expectedLine}", e.Message);
    }

    [Fact]
    public void PidNamespaceTranslationGivesTheChildPidStraceSees()
    {
        var log = "100 clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 12345 in strace's PID NS */\n"
            + "100 vfork() = 3 /* 12346 in strace's PID NS */\n";
        var events = StraceParser.Parse(new StringReader(log)).OfType<SyscallEvent>().ToList();
        Assert.Equal([12345L, 12346L], events.Select(e => e.Result.Value!.Value));
    }
}
