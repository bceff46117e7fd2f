using System.CommandLine;
using Vz.Cli.Commands;

namespace Vz.Cli;

public static class Program
{
    // Arguments keep bytes that are not UTF-8 (RawArgs), so `trace -- CMD ARGS` runs CMD with what was typed.
    public static int Main(string[] args) => Run(RawArgs.OfThisProcess(args), Console.Out, Console.Error);

    /// <summary>Main with the streams help and usage errors go to (commands report through <see cref="CommandAction"/>).</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = BuildRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"vzbuild: {RawText.Printable(e.Message)}");
            error.WriteLine("  hint: run vzbuild --help");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("vzbuild: trace programs, bundle minimal images, and ship them to small VPS nodes.");
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(LddCommand.Create());
        root.Subcommands.Add(SpecCommand.Create());
        root.Subcommands.Add(BundleCommand.Create());
        root.Subcommands.Add(ImageCommand.Create());
        root.Subcommands.Add(MinifyCommand.Create());
        root.Subcommands.Add(PushCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(DeployCommand.Create());
        root.Subcommands.Add(LockCommand.Create());
        root.Subcommands.Add(PsCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(LogsCommand.Create());
        root.Subcommands.Add(RollbackCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        root.Subcommands.Add(PlaybookCommand.Create());
        return root;
    }
}
