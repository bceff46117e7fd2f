using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Vz.Cli.Help;

/// <summary>
/// vzbuild's --help and --version: System.CommandLine 2.0 keeps its help builder internal, so the
/// root's help is written whole (<see cref="HelpText.Root"/>), and a command's help is the standard
/// one followed by its examples.
/// </summary>
internal static class HelpActions
{
    public const string Tagline = "minimal images of what programs really use, shipped over SSH as deltas and run as pods on small VPS nodes.";

    public static void Install(RootCommand root, IReadOnlyList<CommandGroup> groups, IReadOnlyList<Example> examples)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption help && help.Action is HelpAction standard)
            {
                help.Action = new WithExamples(standard, groups, examples);
                // -h and --help: the DOS spellings (/?, /h, -?) would only crowd completion lists.
                foreach (var dos in new[] { "/?", "/h", "-?" })
                    help.Aliases.Remove(dos);
            }
            else if (option is VersionOption version)
            {
                version.Action = new Version();
                version.Description = "Show the version and the commit it was built from";
            }
        }
    }

    sealed class WithExamples(HelpAction standard, IReadOnlyList<CommandGroup> groups, IReadOnlyList<Example> examples) : SynchronousCommandLineAction
    {
        // As the standard help: `vzbuild bundle --help` shows help even though SPEC is missing.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parse)
        {
            var output = parse.InvocationConfiguration.Output;
            var command = parse.CommandResult.Command;
            if (command is RootCommand)
            {
                output.Write(HelpText.Root(Tagline, VersionText.Parse(VersionText.Informational).Version, groups, examples));
                return ExitCodes.Ok;
            }
            if (command is VzCommand { Subcommands.Count: > 0 } group)
            {
                output.Write(HelpText.Group(UsageErrors.CommandPath(parse.CommandResult), group));
                return ExitCodes.Ok;
            }
            int exit;
            if (command is VzCommand { Usage: { } usage })
            {
                // The standard help, caught to put vzbuild's usage line in.
                var help = new StringWriter();
                parse.InvocationConfiguration.Output = help;
                try
                {
                    exit = standard.Invoke(parse);
                }
                finally
                {
                    parse.InvocationConfiguration.Output = output;
                }
                output.Write(HelpText.WithUsage(help.ToString(), usage));
            }
            else
                exit = standard.Invoke(parse);
            if (command is VzCommand vz)
                output.Write(HelpText.Examples(vz.Examples).TrimStart('\n') + "\n");
            return exit;
        }
    }

    sealed class Version : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parse)
        {
            parse.InvocationConfiguration.Output.WriteLine(VersionText.Line(VersionText.Informational));
            return ExitCodes.Ok;
        }
    }
}
