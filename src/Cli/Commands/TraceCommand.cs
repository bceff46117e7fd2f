using System.CommandLine;
using Vz.Trace.Closure;
using Vz.Trace.Spec;
using Vz.Trace.Strace;

namespace Vz.Cli.Commands;

/// <summary><c>vzbuild trace [-o FILE] [--root DIR] [--with-stat] [--keep-log FILE] [--host-network] -- CMD [ARGS...]</c></summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Where to write the spec", DefaultValueFactory = _ => "spec" };
        var root = new Option<string?>("--root") { Description = "Run CMD in this rootfs (in its own namespaces, chroot ROOT CMD) and report paths inside it" };
        var hostNetwork = new Option<bool>("--host-network") { Description = "With --root: keep the host's network (default: only loopback)" };
        var withStat = new Option<bool>("--with-stat") { Description = "Also count files the program only stat()s, access()es or readlink()s" };
        var keepLog = new Option<string?>("--keep-log") { Description = "Keep strace's raw log in this file" };
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.OneOrMore, Description = "The command to trace, after --" };
        var cmd = new Command("trace", "Run a command under strace and write a spec of the files it uses");
        cmd.Options.Add(output);
        cmd.Options.Add(root);
        cmd.Options.Add(withStat);
        cmd.Options.Add(keepLog);
        cmd.Options.Add(hostNetwork);
        cmd.Arguments.Add(command);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var options = new TraceOptions
            {
                Command = parse.GetValue(command) ?? [],
                Root = parse.GetValue(root),
                WithStat = parse.GetValue(withStat),
                KeepLog = parse.GetValue(keepLog),
                HostNetwork = parse.GetValue(hostNetwork),
            };
            var specPath = parse.GetValue(output)!;
            var reporter = CommandAction.Reporter;

            // Fail before a long trace, not after it.
            var staging = SpecFormat.StagingPath(specPath);
            Tracer.EnsureWritable(staging, "spec");
            if (staging != Path.GetFullPath(specPath))
                File.Delete(staging);

            var run = await Tracer.RunAsync(options, reporter, ct);
            var (paths, skipped) = TraceSpec.Writable(run.Result);
            foreach (var w in skipped)
                reporter.Warn(w);
            var closure = ClosureResolver.Resolve(paths, new ClosureOptions { Root = options.Root ?? "/" });
            foreach (var w in closure.Warnings)
                reporter.Warn(w);
            // /tmp, /run... are empty in a container, so a program kept there cannot be bundled.
            // /proc/self/exe (busybox and others re-exec themselves) the runtime provides.
            string[] kernelProvided = ["/proc/", "/sys/", "/dev/"];
            foreach (var dropped in run.Result.Executed.Where(p => !PathFilter.Keep(p)
                && !kernelProvided.Any(k => p.StartsWith(k, StringComparison.Ordinal))))
                reporter.Warn($"{dropped} is on a scratch filesystem a container starts empty, so it is not in the spec; move it (e.g. to /opt) and trace again");
            var spec = TraceSpec.Build(closure.Paths, options.Command, run.WorkingDirectory);
            SpecFormat.Save(spec, specPath);

            reporter.Info($"wrote spec {specPath}: {spec.Paths.Count} paths ({paths.Count} traced, then closed over links, libraries and interpreters)");
            if (run.ExitCode != 0)
                reporter.Warn($"{options.Command[0]} exited with {run.ExitCode}; the spec was written from what it did until then");
            return ExitCodes.ForTrace(run.ExitCode);
        });
        return cmd;
    }
}
