using Vz.Trace.Closure;
using Vz.Trace.Spec;
using Vz.Trace.Strace;

namespace Vz.Trace;

/// <summary>What `vzbuild trace` was asked to do.</summary>
public sealed record SpecTraceRequest
{
    public required TraceOptions Trace { get; init; }
    /// <summary>Where the spec goes (a file, or /dev/stdout).</summary>
    public required string SpecPath { get; init; }
    /// <summary>A hand-tuned spec whose paths and '+'/'-' lines join the traced paths (--rules).</summary>
    public Spec.Spec? Rules { get; init; }
}

/// <summary>The traced program's exit code, the spec written, and how many paths the trace itself saw.</summary>
public sealed record SpecTraceResult(int ExitCode, Spec.Spec Spec, int Traced);

/// <summary>
/// `vzbuild trace`: run the command under strace, turn what it used into a spec through
/// <see cref="TraceSpec.Build"/> (the same resolution bundle and minify use), and write it.
/// </summary>
public static class SpecTrace
{
    /// <summary>Kernel filesystems the runtime provides: a program executed from there (/proc/self/exe) needs no warning.</summary>
    static readonly string[] KernelProvided = ["/proc/", "/sys/", "/dev/"];

    public static async Task<SpecTraceResult> RunAsync(SpecTraceRequest request, IReporter reporter, CancellationToken ct = default)
    {
        // Fail before a long trace, not after it.
        if (request.Rules is { } rules)
            SpecResolver.RefuseEscapes(rules);
        if (Directory.Exists(request.SpecPath))
            throw new VzException(TraceErrors.NotWritable, $"{request.SpecPath}: is a directory; the spec is a file", "name a file with -o, e.g. -o DIR/spec");
        var staging = SpecFormat.StagingPath(request.SpecPath);
        Tracer.EnsureWritable(staging, "spec");
        if (staging != Path.GetFullPath(request.SpecPath))
            File.Delete(staging);

        var run = await Tracer.RunAsync(request.Trace, reporter, ct);
        var (paths, skipped) = TraceSpec.Writable(run.Result);
        foreach (var w in skipped)
            reporter.Warn(w);
        // /tmp, /run... are empty in a container, so a program kept there cannot be bundled.
        foreach (var dropped in run.Result.Executed.Where(p => !PathFilter.Keep(p)
            && !KernelProvided.Any(k => p.StartsWith(k, StringComparison.Ordinal))))
            reporter.Warn($"{dropped} is on a scratch filesystem a container starts empty, so it is not in the spec; move it (e.g. to /opt) and trace again");
        var command = new TracedCommand(request.Trace.Command, run.WorkingDirectory, run.Result.Executable);
        foreach (var w in TraceSpec.CommandWarnings(command))
            reporter.Warn(w);
        var (spec, resolved) = TraceSpec.Build(paths, command, request.Rules, request.Trace.Root ?? "/");
        foreach (var w in resolved.Warnings)
            reporter.Warn(w);
        SpecFormat.Save(spec, request.SpecPath);
        return new SpecTraceResult(run.ExitCode, spec, paths.Count);
    }
}
