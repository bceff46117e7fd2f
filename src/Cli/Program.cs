using System.CommandLine;
using Vz.Cli.Commands;
using Vz.Cli.Help;

namespace Vz.Cli;

public static class Program
{
    // Arguments keep bytes that are not UTF-8 (RawArgs), so `trace -- CMD ARGS` runs CMD with what was typed.
    public static int Main(string[] args) => Run(RawArgs.OfThisProcess(args), Console.Out, Console.Error);

    /// <summary>Main with the streams help and usage errors go to (commands report through <see cref="CommandAction"/>).</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error)
    {
        // `vzbuild help push`, as git and docker take it: `vzbuild push --help`.
        if (args is ["help", .. var rest])
            args = [.. rest, "--help"];
        var root = BuildRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error };
        // `vzbuild` or `vzbuild node` alone: the help of what was typed, as `--help` would show it.
        if (parse.Errors.Count > 0 && parse.UnmatchedTokens.Count == 0 && parse.CommandResult.Command is { Action: null, Subcommands.Count: > 0 })
            return root.Parse([.. args, "--help"]).Invoke(config);
        if (parse.Errors.Count > 0)
        {
            foreach (var line in UsageErrors.Describe(parse))
                error.WriteLine(RawText.Printable(line));
            return ExitCodes.Usage;
        }
        return parse.Invoke(config);
    }

    /// <summary>The commands as the root help lists them: what makes an image, what ships it, what runs it, the nodes.</summary>
    internal static IReadOnlyList<CommandGroup> Groups() =>
    [
        new("Build an image of only what a program uses",
            [TraceCommand.Create(), LddCommand.Create(), SpecCommand.Create(), BundleCommand.Create(), ImageCommand.Create(), MinifyCommand.Create()]),
        new("Ship images to nodes over SSH", [PushCommand.Create(), PlaybookCommand.Create()]),
        new("Run pods on the fleet",
            [DeployCommand.Create(), RollbackCommand.Create(), PsCommand.Create(), DiffCommand.Create(), LogsCommand.Create(), HistoryCommand.Create(), LockCommand.Create()]),
        new("Nodes", [NodeCommand.Create()]),
        new("Shell", [CompletionCommand.Create()]),
    ];

    static readonly Example[] RootExamples =
    [
        new("vzbuild minify --from localhost/web:1 -o web.min -- /bin/httpd -f -p 8080", "a minimal image of a container"),
        new("vzbuild deploy -c vz.yaml", "run the fleet file's pods on its nodes"),
        new("vzbuild ps --json | jq '.nodes[].pods[].state'"),
    ];

    public static RootCommand BuildRoot()
    {
        var groups = Groups();
        var root = new RootCommand($"vzbuild: {HelpActions.Tagline}");
        foreach (var command in groups.SelectMany(g => g.Commands))
            root.Subcommands.Add(command);
        HelpActions.Install(root, groups, RootExamples);
        return root;
    }
}
