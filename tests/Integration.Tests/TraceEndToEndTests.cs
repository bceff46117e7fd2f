using Vz.Trace.Spec;

namespace Vz.Integration.Tests;

/// <summary>
/// Runs the real vzbuild executable on real programs under the real strace. The first two
/// need the closure (Vz.Trace.Closure) to be implemented; the rest stop before it.
/// </summary>
public sealed class TraceEndToEndTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vz-trace-e2e-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static async Task<ProcessResult> Vzbuild(string workDir, IReadOnlyDictionary<string, string?>? env, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");
        var dotnet = ProcessRunner.Which("dotnet") ?? "/usr/share/dotnet/dotnet";
        return await ProcessRunner.RunAsync(new ProcessSpec(dotnet, [dll, .. args])
        {
            WorkingDirectory = workDir,
            Environment = env ?? new Dictionary<string, string?>(),
            Timeout = TimeSpan.FromMinutes(2),
        });
    }

    [Fact]
    public async Task PerlHttpDateTraceWritesASpecWithItsModulesAndCommand()
    {
        string[] command = ["perl", "-MHTTP::Date", "-e", "print time2str(0), qq{\\n}"];
        var r = await Vzbuild(dir, null, ["trace", "-o", "perl.spec", "--", .. command]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("Thu, 01 Jan 1970 00:00:00 GMT\n", r.StdOut);
        Assert.Contains("wrote spec perl.spec:", r.StdErr);

        var spec = SpecFormat.Load(Path.Combine(dir, "perl.spec"));
        Assert.Equal(command, spec.Command);
        Assert.Equal(dir, spec.WorkingDirectory);
        Assert.Contains("/usr/share/perl5/HTTP/Date.pm", spec.Paths);
        Assert.Contains("/usr/bin/perl", spec.Paths);
        Assert.Contains(spec.Paths, p => p.EndsWith("/libcrypt.so.1", StringComparison.Ordinal));
        Assert.DoesNotContain(spec.Paths, p => p.StartsWith("/dev/") || p.StartsWith("/proc/"));
    }

    [Fact]
    public async Task FailingTracedCommandStillWritesTheSpecAndExitsThree()
    {
        var r = await Vzbuild(dir, null, "trace", "-o", "sh.spec", "--", "sh", "-c", "cat /etc/hostname >/dev/null; exit 4");
        Assert.True(r.ExitCode == 3, r.StdErr);
        Assert.Contains("exited with 4", r.StdErr);
        Assert.Contains("/etc/hostname", SpecFormat.Load(Path.Combine(dir, "sh.spec")).Paths);
    }

    [Fact]
    public async Task MissingStraceIsOneErrorLineWithAnInstallHint()
    {
        var r = await Vzbuild(dir, new Dictionary<string, string?> { ["PATH"] = Path.Combine(dir, "empty-path") },
            "trace", "--", "/bin/true");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error VZ1010: strace is not installed", r.StdErr);
        Assert.Contains("apt-get install strace", r.StdErr);
        Assert.False(File.Exists(Path.Combine(dir, "spec")));
    }

    [Theory]
    [InlineData("/dev/stdout")]
    [InlineData("/proc/self/fd/1")]
    public async Task SpecToStdoutIsWrittenIntoThePipe(string output)
    {
        var r = await Vzbuild(dir, null, "trace", "-o", output, "--", "sh", "-c", "cat /etc/hostname >/dev/null");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("/etc/hostname", SpecFormat.Parse(new StringReader(r.StdOut), output).Paths);
    }

    [Fact]
    public async Task UnwritableOutputFailsBeforeTheCommandRuns()
    {
        var marker = Path.Combine(dir, "ran");
        var r = await Vzbuild(dir, null, "trace", "-o", "/proc/vz-nope/spec", "--", "touch", marker);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("VZ1012", r.StdErr);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task UnknownCommandIsATypedError()
    {
        var r = await Vzbuild(dir, null, "trace", "--", "vz-no-such-program", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error VZ1011: vz-no-such-program: command not found", r.StdErr);
    }
}
