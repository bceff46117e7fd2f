namespace Vz.Core.Tests;

/// <summary>The real runner, on programs every Linux has (sh, cat, sleep).</summary>
public class ProcessRunnerTests
{
    [Fact]
    public async Task OutputErrorAndExitCodeComeBackSeparately()
    {
        var r = await ProcessRunner.Default.RunAsync(new ProcessSpec("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"]));
        Assert.Equal((3, "out\n", "err\n"), (r.ExitCode, r.StdOut, r.StdErr));
        Assert.False(r.Ok);
    }

    [Fact]
    public async Task StdinIsWrittenAndClosedAndEnvironmentSetOrRemoved()
    {
        var r = await ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", "cat; echo \"[$VZ_A][${HOME-unset}]\""])
        {
            StdIn = "in\n"u8.ToArray(),
            Environment = new Dictionary<string, string?> { ["VZ_A"] = "a b", ["HOME"] = null },
        });
        Assert.Equal("in\n[a b][unset]\n", r.StdOut);
    }

    [Fact]
    public async Task ACapturedChildGetsItsOwnEmptyStdinNeverOurs()
    {
        // Ours may be a terminal, a pipe of the caller's script or /dev/null: the child's must be none of them.
        var ours = File.ResolveLinkTarget("/proc/self/fd/0", returnFinalTarget: false)?.ToString() ?? "";
        var r = await ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", "readlink /proc/self/fd/0; cat; echo eof"]) { Timeout = TimeSpan.FromSeconds(30) });
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("pipe:[", lines[0]);
        Assert.NotEqual(ours, lines[0]);
        Assert.Equal("eof", lines[1]);
    }

    [Fact]
    public async Task AProgramThatCannotStartIsVZ0001()
    {
        var e = await Assert.ThrowsAsync<VzException>(() => ProcessRunner.RunAsync(new ProcessSpec("vz-no-such-program", [])));
        Assert.Equal(CoreErrors.CannotStart, e.Error);
        Assert.Contains("vz-no-such-program", e.Message);
    }

    [Fact]
    public async Task AProgramOverItsTimeLimitIsKilledAndIsVZ0002()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<VzException>(() =>
            ProcessRunner.RunAsync(new ProcessSpec("sleep", ["30"]) { Timeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(CoreErrors.TimedOut, e.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task CancellingKillsTheChildAndSaysCancelledNotTimedOut()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ProcessRunner.RunAsync(new ProcessSpec("sleep", ["30"]) { Timeout = TimeSpan.FromMinutes(1) }, cts.Token));
    }

    [Fact]
    public void AFailedCheckedRunNamesTheCommandItsExitAndItsLastLine()
    {
        var code = new ErrorCode("VZ0999", "test");
        var e = Assert.Throws<VzException>(() => ProcessRunner.RunChecked(code, "/bin/sh", "-c", "echo first >&2; echo last >&2; exit 2"));
        Assert.Equal(code, e.Error);
        Assert.Equal("/bin/sh -c echo first >&2; echo last >&2; exit 2 exited 2: last", e.Message);
    }

    [Fact]
    public void ACheckedResultThatSucceededIsReturnedAsItIs()
    {
        var ok = new ProcessResult(0, "x", "");
        Assert.Same(ok, ProcessRunner.Checked(ok, new ErrorCode("VZ0999", "test"), "p", []));
    }

    [Fact]
    public void WhichFindsExecutablesOnPathAndNothingElse()
    {
        Assert.Equal("/bin/sh", ProcessRunner.Which("/bin/sh"));
        Assert.NotNull(ProcessRunner.Which("sh"));
        Assert.Null(ProcessRunner.Which("vz-no-such-program"));
    }

    [Fact]
    public async Task PassThroughGivesTheProgramItsArgumentsAndEnvironmentByteForByte()
    {
        using var dir = new Vz.Tests.TempDir();
        var arg = RawText.Decode([(byte)'A', 0xFF, (byte)'B', 0xC3]);
        var value = RawText.Decode([0xFE, (byte)'=', (byte)'x']);

        var r = await ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", "printf %s \"$1\" > arg; printf %s \"$VZ_RAW\" > env; pwd > cwd; exit 7", "sh", arg])
        {
            PassThrough = true,
            WorkingDirectory = dir.Path,
            Environment = new Dictionary<string, string?> { ["VZ_RAW"] = value, ["HOME"] = null },
        });

        Assert.Equal(7, r.ExitCode);
        Assert.Equal(new byte[] { (byte)'A', 0xFF, (byte)'B', 0xC3 }, File.ReadAllBytes(dir["arg"]));
        Assert.Equal(new byte[] { 0xFE, (byte)'=', (byte)'x' }, File.ReadAllBytes(dir["env"]));
        Assert.Equal(dir.Path + "\n", File.ReadAllText(dir["cwd"]));
    }

    [Fact]
    public async Task PassThroughKeepsInheritedVariablesAndResetsIgnoredSignals()
    {
        using var dir = new Vz.Tests.TempDir();
        // .NET ignores SIGPIPE in its own process; a traced pipeline must get the default back.
        var r = await ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", "echo \"$PATH\" > path; while read -r k v; do [ \"$k\" = SigIgn: ] && echo \"$v\"; done < /proc/self/status > ignored; true"])
        {
            PassThrough = true,
            WorkingDirectory = dir.Path,
        });
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH") + "\n", File.ReadAllText(dir["path"]));
        var ignored = Convert.ToUInt64(File.ReadAllText(dir["ignored"]).Trim(), 16);
        // No standard signal (1-31, SIGPIPE among them) is left ignored; 32 and 33 are glibc's own.
        Assert.Equal(0UL, ignored & 0x7FFFFFFFUL);
    }

    [Fact]
    public async Task PassThroughReportsASignalAsOneHundredTwentyEightPlusItsNumberAndAMissingProgramAsVZ0001()
    {
        var r = await ProcessRunner.RunAsync(new ProcessSpec("/bin/sh", ["-c", "kill -TERM $$"]) { PassThrough = true });
        Assert.Equal(128 + 15, r.ExitCode);
        var e = await Assert.ThrowsAsync<VzException>(() => ProcessRunner.RunAsync(new ProcessSpec("vz-no-such-program", []) { PassThrough = true }));
        Assert.Equal(CoreErrors.CannotStart, e.Error);
    }

    [Fact]
    public async Task PassThroughOverItsTimeLimitIsKilledAndIsVZ0002()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<VzException>(() =>
            ProcessRunner.RunAsync(new ProcessSpec("/bin/sleep", ["30"]) { PassThrough = true, Timeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(CoreErrors.TimedOut, e.Error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
