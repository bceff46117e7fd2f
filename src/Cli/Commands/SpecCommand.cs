using System.CommandLine;
using Vz.Trace.Spec;

namespace Vz.Cli.Commands;

/// <summary>Options of <c>vzbuild spec check</c>.</summary>
internal sealed record SpecCheckOptions(string SpecFile, string Root);

/// <summary><c>vzbuild spec check SPEC [--root DIR]</c>: paths that do not exist, globs that match nothing.</summary>
internal static class SpecCommand
{
    public static Command Create()
    {
        var cmd = new Command("spec", "Work with spec files");
        cmd.Subcommands.Add(CreateCheck());
        return cmd;
    }

    static Command CreateCheck()
    {
        var root = new Option<string>("--root") { Description = "Check against this rootfs directory", DefaultValueFactory = _ => "/" };
        var spec = new Argument<string>("spec") { Description = "The spec file" };
        var cmd = new Command("check", $"List spec entries that do not exist and globs that match nothing (exit {ExitCodes.CheckFailed} if any)");
        cmd.Options.Add(root);
        cmd.Arguments.Add(spec);
        CommandAction.Set(cmd, parse => Check(new SpecCheckOptions(parse.GetValue(spec)!, parse.GetValue(root) ?? "/")));
        return cmd;
    }

    static int Check(SpecCheckOptions options)
    {
        var result = SpecChecker.CheckFile(options.SpecFile, options.Root);
        foreach (var line in result.Describe(options.SpecFile))
            Console.Out.WriteLine(RawText.Printable(line));
        return result.Ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
