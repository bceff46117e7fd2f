using System.Diagnostics;
using System.Text;

namespace Vz;

/// <summary>The result of one child process.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Ok => ExitCode == 0;
}

/// <summary>What to run. Args are passed as a list, never through a shell.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Args)
{
    public string? WorkingDirectory { get; init; }
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>
    /// Bytes written to the child's stdin, then closed. Null gives the child an empty stdin (it reads
    /// end of file at once), except with <see cref="PassThrough"/>, where stdin is ours. A captured
    /// child never shares our stdin: ssh would read input meant for the caller (a script's
    /// <c>while read</c> loop), and leaves it non-blocking when it is killed, which
    /// ansible-playbook then refuses ("Non-blocking file handles detected: &lt;stdin&gt;").
    /// </summary>
    public byte[]? StdIn { get; init; }
    /// <summary>
    /// When true, stdin, stdout and stderr are ours (the traced program's output passes through),
    /// and the arguments and environment reach the program byte for byte: a string may carry bytes
    /// that are not UTF-8 as <see cref="RawText"/> does (an argument the user typed, read from
    /// /proc/self/cmdline by <see cref="RawArgs"/>), and an inherited variable keeps its bytes.
    /// </summary>
    public bool PassThrough { get; init; }
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// The one seam in front of every external program vz drives (strace, xdelta3, podman, runc,
/// ansible-playbook, ssh-keygen): run it to completion, get its exit code and output. Code that
/// runs programs takes one of these so tests can fake it; <see cref="ProcessRunner.Default"/> is the real one.
/// </summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs to completion and captures output (unless PassThrough). Throws VZ0001 when the program
    /// cannot start and VZ0002 when it outlives its timeout (it is killed); a non-zero exit is a result, not an error.
    /// </summary>
    Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct = default);
}

/// <summary>The real <see cref="IProcessRunner"/>, and shorthands for code that runs programs directly.</summary>
public static class ProcessRunner
{
    /// <summary>Runs child processes of this one.</summary>
    public static IProcessRunner Default { get; } = new ChildProcessRunner();

    /// <summary>Finds an executable on PATH (or checks a path); null when absent.</summary>
    public static string? Which(string name)
    {
        if (name.Contains('/'))
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && IsExecutable(candidate))
                return candidate;
        }
        return null;
    }

    static bool IsExecutable(string path)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary><see cref="IProcessRunner.RunAsync"/> of <see cref="Default"/>.</summary>
    public static Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct = default) => Default.RunAsync(spec, ct);

    public static ProcessResult Run(ProcessSpec spec) => RunAsync(spec).GetAwaiter().GetResult();

    /// <summary>Runs and throws a VzException with <paramref name="code"/>, naming the command, when it fails.</summary>
    public static ProcessResult RunChecked(ErrorCode code, string fileName, params string[] args) =>
        Checked(Run(new ProcessSpec(fileName, args)), code, fileName, args);

    /// <summary>The result when the program exited 0; else a VzException naming the command and the last line it printed.</summary>
    public static ProcessResult Checked(ProcessResult r, ErrorCode code, string fileName, IReadOnlyList<string> args)
    {
        if (r.Ok)
            return r;
        var why = (r.StdErr.Length > 0 ? r.StdErr : r.StdOut).Trim();
        var line = why.Split('\n').LastOrDefault() ?? "";
        throw new VzException(code, $"{fileName} {string.Join(' ', args)} exited {r.ExitCode}: {line}");
    }
}

/// <summary>The real runner: a child process with its output pumped into strings.</summary>
sealed class ChildProcessRunner : IProcessRunner
{
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken ct = default)
    {
        if (spec.PassThrough && spec.StdIn is null)
            return await RunExactAsync(spec, ct);
        var psi = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = !spec.PassThrough,
            RedirectStandardError = !spec.PassThrough,
            RedirectStandardInput = !spec.PassThrough || spec.StdIn is not null,
            WorkingDirectory = spec.WorkingDirectory ?? "",
        };
        foreach (var a in spec.Args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in spec.Environment)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }

        using var p = new Process { StartInfo = psi };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VzException(CoreErrors.CannotStart, $"cannot run {spec.FileName}: {e.Message}");
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Task outTask = Task.CompletedTask, errTask = Task.CompletedTask;
        if (!spec.PassThrough)
        {
            outTask = PumpAsync(p.StandardOutput, stdout);
            errTask = PumpAsync(p.StandardError, stderr);
        }
        if (psi.RedirectStandardInput)
        {
            try
            {
                if (spec.StdIn is not null)
                    await p.StandardInput.BaseStream.WriteAsync(spec.StdIn, ct);
                p.StandardInput.Close();
            }
            catch (IOException) { /* child closed stdin early; its exit code tells */ }
        }

        using var timeout = spec.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await p.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new VzException(CoreErrors.TimedOut, $"{spec.FileName} did not finish within {spec.Timeout}");
            throw;
        }
        await Task.WhenAll(outTask, errTask);
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A pass-through run started by posix_spawn, so arguments and environment keep their bytes.</summary>
    static async Task<ProcessResult> RunExactAsync(ProcessSpec spec, CancellationToken ct)
    {
        var pid = PosixSpawn.Start(spec);
        var exited = Task.Factory.StartNew(() => PosixSpawn.Wait(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var timeout = spec.Timeout is { } t ? new CancellationTokenSource(t) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            return new ProcessResult(await exited.WaitAsync(linked.Token), "", "");
        }
        catch (OperationCanceledException)
        {
            PosixSpawn.KillTree(pid);
            await exited;
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new VzException(CoreErrors.TimedOut, $"{spec.FileName} did not finish within {spec.Timeout}");
            throw;
        }
    }

    static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buf = new char[8192];
        int n;
        while ((n = await reader.ReadAsync(buf)) > 0)
            into.Append(buf, 0, n);
    }
}
