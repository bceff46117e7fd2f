using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Trace.Spec;

namespace Vz.Cli.Commands;

/// <summary>Options of <c>vzbuild spec check</c>.</summary>
internal sealed record SpecCheckOptions(string SpecFile, string Root, bool Json = false);

/// <summary><c>vzbuild spec check SPEC [--root DIR]</c>: paths that do not exist, globs that match nothing.</summary>
internal static class SpecCommand
{
    public static VzCommand Create()
    {
        var cmd = new VzCommand("spec", "Check spec files", "Work with spec files, the lists of files an image holds (trace, ldd and minify write them).")
        {
            Examples = [new("vzbuild spec check python.spec")],
        };
        cmd.Subcommands.Add(CreateCheck());
        return cmd;
    }

    static VzCommand CreateCheck()
    {
        var root = new Option<string>("--root") { Description = "Check against this rootfs directory", HelpName = "dir", DefaultValueFactory = _ => "/" };
        var spec = new Argument<string>("spec") { Description = "The spec file" };
        var json = new Option<bool>("--json") { Description = "Print what was found as JSON on stdout (shape: README, JSON output)" };
        var cmd = new VzCommand("check", "List a spec's missing paths and globs that match nothing",
            $"List the spec's entries that do not exist in the root and its +/- globs that match nothing; exit {ExitCodes.CheckFailed} when there are any.")
        {
            Examples =
            [
                new("vzbuild spec check perl.spec"),
                new("vzbuild spec check --root ./rootfs app.spec", "against a rootfs"),
                new("vzbuild spec check app.spec --json | jq -r '.missing[].path'"),
            ],
        };
        cmd.Options.Add(root);
        cmd.Options.Add(json);
        cmd.Arguments.Add(spec);
        CommandAction.Set(cmd, parse => Check(new SpecCheckOptions(parse.GetValue(spec)!, parse.GetValue(root) ?? "/", parse.GetValue(json))));
        return cmd;
    }

    static int Check(SpecCheckOptions options)
    {
        var result = SpecChecker.CheckFile(options.SpecFile, options.Root);
        var exit = result.Ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
        if (options.Json)
            Console.Out.Write(BuildJson.SpecCheck(result, options.SpecFile, options.Root, exit) + "\n");
        else
            foreach (var line in result.Describe(options.SpecFile))
                Console.Out.WriteLine(RawText.Printable(line));
        return exit;
    }
}
