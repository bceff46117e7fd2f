using System.CommandLine;
using Vz.Bundle;
using Vz.Bundle.Image;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Oci;
using Vz.Bundle.Minify;
using Vz.Trace.Spec;

namespace Vz.Cli.Commands;

/// <summary><c>vzbuild minify --from SOURCE [--tag NAME:TAG] [-o OUT] [--keep GLOB] [--drop GLOB] [--exercise FILE] [--host-network] -- CMD [ARGS...]</c></summary>
internal static class MinifyCommand
{
    public static VzCommand Create()
    {
        var from = new Option<string>("--from") { Description = "Image archive (docker-archive or oci-archive), podman image name, or rootfs directory", HelpName = "source", Required = true };
        var tag = new Option<string?>("--tag", "-t") { Description = "Name of the minified image (default: localhost/PROGRAM-min:latest)", HelpName = "name:tag" };
        var output = new Option<string?>("--output", "-o") { Description = "Output directory for spec, bundle/ and image.oci.tar (default: PROGRAM.min)", HelpName = "dir" };
        var keep = new Option<string[]>("--keep") { Description = "Also keep paths matching this glob, e.g. /usr/share/zoneinfo/** (repeatable)", HelpName = "glob" };
        var drop = new Option<string[]>("--drop") { Description = "Leave out paths matching this glob, e.g. /usr/share/doc/** (repeatable)", HelpName = "glob" };
        var exercise = new Option<string?>("--exercise") { Description = "File of more commands, one per line, traced into the same spec", HelpName = "file" };
        var rules = new Option<string?>("--rules") { Description = "A hand-tuned spec whose paths and +/- lines are added", HelpName = "spec" };
        var port = new Option<string[]>("--port", "-p") { Description = "Port the program listens on, e.g. 8080 (repeatable)", HelpName = "port" };
        var withStat = new Option<bool>("--with-stat") { Description = "Also keep files the program only stat()s or access()es" };
        var hostNetwork = new Option<bool>("--host-network") { Description = "Trace with the host's network (default: loopback only)" };
        var json = TraceCommand.JsonSummaryOption();
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.OneOrMore, Description = "The command the image runs and its arguments, after --" };
        var cmd = new VzCommand("minify", "Trace a command inside an image; write a minimal image of it",
            "Unpack an image built as usual (safely: no .. names, no writes through symlinks, no device nodes), trace the command " +
            "chrooted into an overlay of it in namespaces of its own, and write OUT/spec, OUT/bundle/ and OUT/image.oci.tar with only " +
            "what it used, printing the sizes before and after. Exit 3 when the command exits non-zero.")
        {
            Usage = "vzbuild minify --from <source> [options] -- <command>...",
            Examples =
            [
                new("vzbuild minify --from localhost/myapp:latest -o myapp.min -- python3 /opt/app.py"),
                new("vzbuild minify --from app.tar --exercise tests.txt --keep '/usr/share/zoneinfo/**' -p 8080 -- /app/server", "more code paths traced"),
                new("vzbuild minify --from app.tar --json min.json -- /app/server --selftest && jq .imageBytes min.json"),
            ],
        };
        foreach (var o in new Option[] { from, tag, output, keep, drop, exercise, rules, port, withStat, hostNetwork, json })
            cmd.Options.Add(o);
        cmd.Arguments.Add(command);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var args = parse.GetValue(command) ?? [];
            var program = Path.GetFileName(args.FirstOrDefault() ?? "image");
            var reporter = CommandAction.Reporter;
            var request = new MinifyRequest
            {
                Source = parse.GetValue(from)!,
                Command = args,
                OutDir = parse.GetValue(output) ?? program + ".min",
                Reference = ImageReference.Parse(parse.GetValue(tag) ?? $"localhost/{program}-min:latest"),
                Keep = parse.GetValue(keep) ?? [],
                Drop = parse.GetValue(drop) ?? [],
                Exercises = parse.GetValue(exercise) is { } file ? ShellWords.ReadCommands(file) : [],
                Rules = parse.GetValue(rules) is { } r ? SpecFormat.Load(r) : null,
                Ports = parse.GetValue(port) ?? [],
                WithStat = parse.GetValue(withStat),
                HostNetwork = parse.GetValue(hostNetwork),
                Epoch = Reproducible.Epoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")),
            };
            var jsonFile = parse.GetValue(json);
            TraceCommand.EnsureWritable(jsonFile);
            var result = await Minifier.RunAsync(request, reporter, ct);
            reporter.Info($"wrote {result.SpecPath} ({result.Paths} paths), {result.BundleDir}/ and {result.ImagePath}");
            // Files of the unpacked source against the uncompressed image archive: the same measure on both sides.
            reporter.Info($"size: {Mb(result.SourceBytes)} of files in the source, {Mb(result.ImageBytes)} image ({(double)result.SourceBytes / Math.Max(1, result.ImageBytes):0.0}x smaller)");
            if (result.ExitCode != 0)
                reporter.Warn($"{args[0]} exited with {result.ExitCode} while traced; the image holds what it used until then");
            var exit = ExitCodes.ForTrace(result.ExitCode);
            if (jsonFile is not null)
                TraceCommand.WriteJson(jsonFile, BuildJson.Minify(result, request.Reference, OciArchive.ReadIndex(result.ImagePath).Manifest.Digest, exit));
            return exit;
        });
        return cmd;
    }

    static string Mb(long bytes) => $"{bytes / 1e6:0.0} MB";
}
