using System.CommandLine;
using System.Text.Json;
using Vz.Bundle;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Bundle.Tar;

namespace Vz.Cli.Commands;

/// <summary><c>vzbuild bundle SPEC [--root DIR] [-o OUTDIR] [--name NAME] [--cmd ...] [-e K=V] [--cwd DIR] [-u USER] [-p PORT] [--strict] [--pack [FILE]] [--compress ...]</c></summary>
internal static class BundleCommand
{
    public static VzCommand Create()
    {
        var spec = new Argument<string>("spec") { Description = "The spec naming the files to bundle (from trace, ldd or minify)" };
        var root = new Option<string>("--root") { Description = "Filesystem root the spec's paths are read from", HelpName = "dir", DefaultValueFactory = _ => "/" };
        var output = new Option<string?>("--output", "-o") { Description = "Bundle directory to create (default: NAME.bundle)", HelpName = "dir" };
        var name = new Option<string?>("--name") { Description = "Bundle name: the hostname and default paths (default: the spec's file name)", HelpName = "name" };
        var cmdOpt = new Option<string?>("--cmd") { Description = "Command to run: a JSON array, or words split on spaces (default: the traced command)", HelpName = "command" };
        var env = new Option<string[]>("--env", "-e") { Description = "Add KEY=VALUE to the environment (repeatable)", HelpName = "key=value", AllowMultipleArgumentsPerToken = false };
        var cwd = new Option<string?>("--cwd") { Description = "Working directory inside the container (default: the traced cwd, else /)", HelpName = "dir" };
        var user = new Option<string?>("--user", "-u") { Description = "UID[:GID] or NAME[:GROUP] from the rootfs's /etc/passwd", HelpName = "user" };
        var port = new Option<string[]>("--port", "-p") { Description = "Port the program listens on, e.g. 8080 or 53/udp (repeatable)", HelpName = "port" };
        var force = new Option<bool>("--force") { Description = "Replace an existing bundle in the output directory" };
        var noClosure = new Option<bool>("--no-closure") { Description = "Copy exactly the spec's paths (and their symlinks), adding no libraries" };
        var strict = new Option<bool>("--strict") { Description = "Fail when a path the spec lists is not in the root (default: leave it out, with a warning)" };
        var pack = new Option<string?>("--pack") { Description = "Also pack the bundle into a reproducible tarball (default: OUTDIR.tar.zst)", HelpName = "file", Arity = ArgumentArity.ZeroOrOne };
        var compress = new Option<Compression?>("--compress") { Description = "Compression for --pack (default: Zstd)" };
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON on stdout (shape: README, JSON output)" };

        var cmd = new VzCommand("bundle", "Make an OCI runtime bundle (rootfs/ + config.json) of a spec",
            "Copy the spec's closure from the root into OUTDIR/rootfs (types, modes, numeric owners, links and mtimes kept; nothing " +
            "written outside OUTDIR) and write an OCI runtime config.json that runc run accepts. --pack also writes a byte-reproducible " +
            "tarball (mtimes clamped to SOURCE_DATE_EPOCH).")
        {
            Examples =
            [
                new("vzbuild bundle python.spec -o python.bundle && runc run -b python.bundle py1"),
                new("vzbuild bundle app.spec --root ./rootfs -p 8080 -e MODE=prod --pack", "also packs app.bundle.tar.zst"),
                new("vzbuild bundle app.spec --json | jq .rootfs.bytes"),
            ],
        };
        cmd.Arguments.Add(spec);
        foreach (var o in new Option[] { root, output, name, cmdOpt, env, cwd, user, port, force, noClosure, strict, pack, compress, json })
            cmd.Options.Add(o);

        CommandAction.Set(cmd, parse =>
        {
            var specPath = parse.GetValue(spec)!;
            var bundleName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(Path.GetFullPath(specPath).TrimEnd('/'));
            var cmdText = parse.GetValue(cmdOpt);
            var request = new SpecBundleRequest
            {
                SpecPath = specPath,
                Root = parse.GetValue(root)!,
                OutDir = parse.GetValue(output) ?? bundleName + ".bundle",
                Name = bundleName,
                Cmd = cmdText is null ? null : ParseCmd(cmdText),
                Env = parse.GetValue(env) ?? [],
                Cwd = parse.GetValue(cwd),
                User = parse.GetValue(user),
                Ports = parse.GetValue(port) ?? [],
                Force = parse.GetValue(force),
                NoClosure = parse.GetValue(noClosure),
                Strict = parse.GetValue(strict),
                Pack = parse.GetResult(pack) is not null,
                PackFile = parse.GetValue(pack),
                Compression = parse.GetValue(compress),
                Epoch = Reproducible.Epoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")),
            };
            var reporter = CommandAction.Reporter;
            var result = SpecBundle.Build(request, reporter);
            var r = result.Bundle.Rootfs;
            reporter.Info($"wrote bundle {result.Bundle.BundleDir}: {r.Files} files, {r.Directories} directories, {r.Symlinks} symlinks, {r.HardLinks} hard links, {r.Bytes} bytes");
            long? packBytes = result.PackFile is { } file ? new FileInfo(file).Length : null;
            if (result.PackFile is not null)
                reporter.Info($"packed {result.PackFile} ({packBytes} bytes, {result.Compression})");
            if (parse.GetValue(json))
                Console.Out.Write(BuildJson.Bundle(result, packBytes) + "\n");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>A JSON array of strings, or words split on spaces.</summary>
    internal static IReadOnlyList<string> ParseCmd(string text)
    {
        if (text.TrimStart().StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<string[]>(text) ?? [];
            }
            catch (JsonException e)
            {
                throw new VzException(BundleErrors.BadCmd, $"--cmd {text}: not a JSON array of strings: {e.Message}");
            }
        }
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
