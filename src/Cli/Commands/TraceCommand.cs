using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Trace;
using Vz.Trace.Spec;
using Vz.Trace.Strace;

namespace Vz.Cli.Commands;

/// <summary><c>vzbuild trace [-o FILE] [--root DIR] [--rules SPEC] [--with-stat] [--keep-log FILE] [--host-network] -- CMD [ARGS...]</c></summary>
internal static class TraceCommand
{
    public static VzCommand Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "Where to write the spec", HelpName = "file", DefaultValueFactory = _ => "spec" };
        var root = new Option<string?>("--root") { Description = "Run CMD chrooted into this rootfs, in namespaces of its own, and report paths inside it", HelpName = "dir" };
        var rules = new Option<string?>("--rules") { Description = "A hand-tuned spec whose paths and +/- lines are added", HelpName = "spec" };
        var hostNetwork = new Option<bool>("--host-network") { Description = "With --root: keep the host's network (default: loopback only)" };
        var withStat = new Option<bool>("--with-stat") { Description = "Also count files the program only stat()s, access()es or readlink()s" };
        var keepLog = new Option<string?>("--keep-log") { Description = "Keep strace's raw log in this file", HelpName = "file" };
        var json = JsonSummaryOption();
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.OneOrMore, Description = "The command to trace and its arguments, after --" };
        var cmd = new VzCommand("trace", "Run a command under strace; write the spec of the files it uses",
            "Run a command under strace -f (its stdin, stdout, stderr and exit code passed through) and write the spec: every file it " +
            "opened or executed and every directory it relied on, closed over symlinks, ELF interpreters and libraries, shebang " +
            "interpreters and the NSS set a container needs. Exit 3 when the command exits non-zero; the spec is still written.")
        {
            Usage = "vzbuild trace [options] -- <command>...",
            Examples =
            [
                new("vzbuild trace -o python.spec -- python3 app.py"),
                new("vzbuild trace -o date.spec -- perl -MHTTP::Date -e 'print time2str(time())'"),
                new("vzbuild trace --root ./rootfs -o app.spec -- /usr/bin/app --selftest", "inside a rootfs, isolated"),
                new("vzbuild trace -o app.spec --json trace.json -- ./app && jq .paths trace.json"),
            ],
        };
        foreach (var o in new Option[] { output, root, rules, withStat, keepLog, hostNetwork, json })
            cmd.Options.Add(o);
        cmd.Arguments.Add(command);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var request = new SpecTraceRequest
            {
                Trace = new TraceOptions
                {
                    Command = parse.GetValue(command) ?? [],
                    Root = parse.GetValue(root),
                    WithStat = parse.GetValue(withStat),
                    KeepLog = parse.GetValue(keepLog),
                    HostNetwork = parse.GetValue(hostNetwork),
                },
                SpecPath = parse.GetValue(output)!,
                Rules = parse.GetValue(rules) is { } file ? SpecFormat.Load(file) : null,
            };
            var jsonFile = parse.GetValue(json);
            EnsureWritable(jsonFile);
            var reporter = CommandAction.Reporter;
            var result = await SpecTrace.RunAsync(request, reporter, ct);
            reporter.Info($"wrote spec {request.SpecPath}: {result.Spec.Paths.Count} paths ({result.Traced} traced, then closed over links, libraries and interpreters)");
            if (result.ExitCode != 0)
                reporter.Warn($"{request.Trace.Command[0]} exited with {result.ExitCode}; the spec was written from what it did until then");
            var exit = ExitCodes.ForTrace(result.ExitCode);
            if (jsonFile is not null)
                WriteJson(jsonFile, BuildJson.Trace(result, request.SpecPath, exit));
            return exit;
        });
        return cmd;
    }

    /// <summary>
    /// --json FILE of trace and minify: the traced program's own stdout passes through, so the summary
    /// goes to a file ("-": stdout, after the program's output).
    /// </summary>
    internal static Option<string?> JsonSummaryOption() => new("--json")
    {
        Description = "Write the summary as JSON to this file, - for stdout after the program's own output (shape: README, JSON output)",
        HelpName = "file",
    };

    /// <summary>Checked before the trace starts, so minutes of tracing are not lost to a path that cannot be written.</summary>
    internal static void EnsureWritable(string? jsonFile)
    {
        if (jsonFile is not null and not "-")
            Tracer.EnsureWritable(jsonFile, "JSON summary");
    }

    internal static void WriteJson(string jsonFile, string json)
    {
        try
        {
            CliJson.Write(jsonFile, json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(TraceErrors.NotWritable, $"{jsonFile}: cannot write JSON summary: {e.Message}", "choose a writable path");
        }
    }
}
