using System.CommandLine;
using System.Text.Json;
using Vz.Bundle;
using Vz.Bundle.Runtime;
using Vz.Bundle.Tar;
using Vz.Trace.Closure;
using Vz.Trace.Spec;

namespace Vz.Cli.Commands;

/// <summary>What `vzbuild bundle` was asked to do.</summary>
internal sealed record BundleCommandOptions(
    string SpecPath, string Root, string OutDir, string Name, IReadOnlyList<string>? Cmd, IReadOnlyList<string> Env,
    string? Cwd, string? User, IReadOnlyList<string> Ports, bool Force, bool NoClosure,
    bool Pack, string? PackFile, Compression? Compression, long Epoch);

internal static class BundleCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The spec file (from vzbuild trace) naming the files to bundle" };
        var root = new Option<string>("--root") { Description = "Filesystem root the spec's paths are read from", DefaultValueFactory = _ => "/" };
        var output = new Option<string?>("--output", "-o") { Description = "Bundle directory to create (default: NAME.bundle)" };
        var name = new Option<string?>("--name") { Description = "Bundle name, used as hostname and default paths (default: the spec's file name)" };
        var cmdOpt = new Option<string?>("--cmd") { Description = "Command to run: a JSON array or words split on spaces (default: the traced command)" };
        var env = new Option<string[]>("--env", "-e") { Description = "KEY=VALUE added to the environment (repeatable)", AllowMultipleArgumentsPerToken = false };
        var cwd = new Option<string?>("--cwd") { Description = "Working directory inside the container (default: the traced cwd, else /)" };
        var user = new Option<string?>("--user", "-u") { Description = "UID[:GID] or NAME[:GROUP] from the rootfs's /etc/passwd" };
        var port = new Option<string[]>("--port", "-p") { Description = "Port the program listens on, e.g. 8080 or 53/udp (repeatable)" };
        var force = new Option<bool>("--force") { Description = "Replace an existing bundle in the output directory" };
        var noClosure = new Option<bool>("--no-closure") { Description = "Copy exactly the spec's paths (and their symlinks), without adding libraries" };
        var pack = new Option<string?>("--pack") { Description = "Also pack the bundle into a reproducible tarball (default: OUTDIR.tar.zst)", Arity = ArgumentArity.ZeroOrOne };
        var compress = new Option<Compression?>("--compress") { Description = "Compression for --pack: Zstd (default), Xz, Gzip or None" };

        var cmd = new Command("bundle", "Make an OCI runtime bundle (rootfs/ + config.json) from a spec's closure");
        cmd.Arguments.Add(spec);
        foreach (var o in new Option[] { root, output, name, cmdOpt, env, cwd, user, port, force, noClosure, pack, compress })
            cmd.Options.Add(o);

        CommandAction.Set(cmd, parse =>
        {
            var specPath = parse.GetValue(spec)!;
            var bundleName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(Path.GetFullPath(specPath).TrimEnd('/'));
            var outDir = parse.GetValue(output) ?? bundleName + ".bundle";
            var cmdText = parse.GetValue(cmdOpt);
            return Run(new BundleCommandOptions(
                specPath, parse.GetValue(root)!, outDir, bundleName,
                cmdText is null ? null : ParseCmd(cmdText),
                parse.GetValue(env) ?? [], parse.GetValue(cwd), parse.GetValue(user), parse.GetValue(port) ?? [],
                parse.GetValue(force), parse.GetValue(noClosure),
                parse.GetResult(pack) is not null, parse.GetValue(pack), parse.GetValue(compress),
                Reproducible.Epoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"))), CommandAction.Reporter);
        });
        return cmd;
    }

    internal static int Run(BundleCommandOptions o, IReporter reporter)
    {
        var spec = SpecFormat.Load(o.SpecPath);
        IReadOnlyList<string> paths;
        var loaderCache = false;
        if (o.NoClosure && spec.Rules.Count == 0)
            paths = spec.Paths; // nothing to expand: the listed paths are the bundle
        else
        {
            paths = SpecExpander.Expand(spec, o.Root);
            if (!o.NoClosure)
            {
                var closure = ClosureResolver.Resolve(paths, new ClosureOptions { Root = o.Root });
                foreach (var w in closure.Warnings) reporter.Warn(w);
                paths = closure.Paths;
                loaderCache = closure.NeedsLoaderCache;
            }
        }
        var args = o.Cmd ?? spec.Command
            ?? throw new VzException(BundleErrors.InvalidConfig, $"{o.SpecPath}: the spec records no command", "give one with --cmd");
        var result = BundleBuilder.Build(new BundleRequest
        {
            Paths = paths,
            SourceRoot = o.Root,
            OutDir = o.OutDir,
            Runtime = new RuntimeOptions
            {
                Args = args,
                Env = o.Env,
                Cwd = o.Cwd ?? spec.WorkingDirectory ?? "/",
                Hostname = o.Name,
                Ports = o.Ports,
            },
            User = o.User,
            Force = o.Force,
            Epoch = o.Epoch,
            LoaderCache = loaderCache,
        });
        foreach (var w in result.Rootfs.Warnings) reporter.Warn(w);
        var r = result.Rootfs;
        reporter.Info($"wrote bundle {result.BundleDir}: {r.Files} files, {r.Directories} directories, {r.Symlinks} symlinks, {r.HardLinks} hard links, {r.Bytes} bytes");
        if (o.Pack)
        {
            var compression = o.Compression ?? (o.PackFile is null ? null : Packer.FromFileName(o.PackFile)) ?? Compression.Zstd;
            var file = o.PackFile ?? result.BundleDir.TrimEnd('/') + Packer.Extension(compression);
            BundleBuilder.Pack(result.BundleDir, file, compression, o.Epoch);
            reporter.Info($"packed {file} ({new FileInfo(file).Length} bytes, {compression})");
        }
        return ExitCodes.Ok;
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
