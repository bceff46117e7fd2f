using System.CommandLine;
using Vz.Cli.Help;
using Vz.Trace.Closure;
using Vz.Trace.Spec;

namespace Vz.Cli.Commands;

/// <summary>Options of <c>vzbuild ldd</c>.</summary>
internal sealed record LddOptions(IReadOnlyList<string> Binaries, string? Output, string Root);

/// <summary><c>vzbuild ldd [-o FILE] [--root DIR] BINARY...</c>: a spec from ELF headers, nothing run.</summary>
internal static class LddCommand
{
    public static VzCommand Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the spec to this file (default: stdout)", HelpName = "file" };
        var root = new Option<string>("--root") { Description = "Resolve inside this rootfs directory", HelpName = "dir", DefaultValueFactory = _ => "/" };
        var binaries = new Argument<string[]>("binary") { Arity = ArgumentArity.OneOrMore, Description = "Programs: a path, or a name on PATH inside the root" };
        var cmd = new VzCommand("ldd", "Write the spec of binaries from their ELF headers alone",
            "Write the spec of programs from their ELF headers alone (interpreter, DT_NEEDED libraries with RPATH, RUNPATH and " +
            "ld.so.conf, symlinks), without running anything: the same spec trace would close over, for programs you cannot run here.")
        {
            Examples =
            [
                new("vzbuild ldd -o busybox.spec /bin/busybox"),
                new("vzbuild ldd --root ./rootfs nginx", "a program inside a rootfs, on its PATH"),
            ],
        };
        cmd.Options.Add(output);
        cmd.Options.Add(root);
        cmd.Arguments.Add(binaries);
        CommandAction.Set(cmd, parse => Run(
            new LddOptions(parse.GetValue(binaries) ?? [], parse.GetValue(output), parse.GetValue(root) ?? "/"),
            CommandAction.Reporter));
        return cmd;
    }

    static int Run(LddOptions options, IReporter reporter)
    {
        var (spec, warnings) = LddSpec.Build(options.Binaries, new ClosureOptions { Root = options.Root });
        foreach (var w in warnings)
            reporter.Warn(w);
        if (options.Output is null)
        {
            SpecFormat.Write(spec, Console.Out);
            return ExitCodes.Ok;
        }
        SpecFormat.Save(spec, options.Output);
        reporter.Info($"wrote spec {options.Output} ({spec.Paths.Count} paths)");
        return ExitCodes.Ok;
    }
}
