using System.Text;

namespace Vz.Cli.Help;

/// <summary>
/// The parts of vzbuild's help that System.CommandLine does not write, as pure functions: the root
/// help (commands grouped Build / Ship / Run / Nodes, each with one line), the help of a command
/// that holds others (node, spec, lock) in the same form, and a command's Examples
/// section. Lines of the root help fit 80 columns (tested).
/// </summary>
internal static class HelpText
{
    public const int Width = 80;

    public static string Root(string tagline, string version, IReadOnlyList<CommandGroup> groups, IReadOnlyList<Example> examples)
    {
        var sb = new StringBuilder(Wrap($"vzbuild {version}: {tagline}", Width) + "\n");
        sb.Append("Usage:\n  vzbuild COMMAND [ARGUMENTS] [OPTIONS]\n  vzbuild COMMAND --help    a command's options and examples\n");
        sb.Append(Commands(groups, "Show help (after a command: its options and examples)", "Show the version and the commit it was built from"));
        sb.Append(Examples(examples));
        sb.Append('\n');
        sb.Append(Wrap("Exit codes: " + string.Join(", ", ExitCodes.Summary.Select(c => $"{c.Code} {c.Words}")) + ".", Width));
        sb.Append(Wrap("Shell completion: vzbuild completion bash|zsh. JSON output (--json) and exit codes: README.md.", Width));
        return sb.ToString();
    }

    /// <summary>The help of a command that only holds others (vzbuild node): what it is for, its commands in a line each, examples.</summary>
    public static string Group(string path, VzCommand command) =>
        $"{Wrap(command.Description ?? command.Summary, Width)}\nUsage:\n  {path} COMMAND [ARGUMENTS] [OPTIONS]\n"
        + Commands([new CommandGroup("Commands", [.. command.Subcommands.OfType<VzCommand>()])], "Show help (after a command: its options and examples)")
        + Examples(command.Examples);

    /// <summary>Each group's title and its commands, a line each, then the options.</summary>
    static string Commands(IReadOnlyList<CommandGroup> groups, string help, string? version = null)
    {
        var rows = groups.Select(g => (g.Title, Rows: g.Commands.SelectMany(Leaves).ToList())).ToList();
        var nameWidth = rows.SelectMany(g => g.Rows).Select(r => r.Name.Length).Append("-h, --help".Length).Max() + 2;
        var sb = new StringBuilder();
        foreach (var (title, leaves) in rows)
        {
            sb.Append($"\n{title}:\n");
            foreach (var (name, summary) in leaves)
                sb.Append($"  {name.PadRight(nameWidth)}{summary}\n");
        }
        sb.Append($"\nOptions:\n  {"-h, --help".PadRight(nameWidth)}{help}\n");
        if (version is not null)
            sb.Append($"  {"--version".PadRight(nameWidth)}{version}\n");
        return sb.ToString();
    }

    /// <summary>The commands a listing shows for one: itself, or each of its own ("node add").</summary>
    static IEnumerable<(string Name, string Summary)> Leaves(VzCommand command) =>
        command.Subcommands.OfType<VzCommand>().Any()
            ? command.Subcommands.OfType<VzCommand>().Select(s => ($"{command.Name} {s.Name}", s.Summary))
            : [(command.Name, command.Summary)];

    /// <summary>
    /// "Examples:" and one line per example; a comment lined up after its command, or on the line
    /// above a command too long to share one.
    /// </summary>
    public static string Examples(IReadOnlyList<Example> examples)
    {
        if (examples.Count == 0)
            return "";
        const int maxColumn = 48;
        var column = examples.Where(e => e.Comment is not null && e.Line.Length <= maxColumn).Select(e => e.Line.Length).DefaultIfEmpty(0).Max() + 2;
        var sb = new StringBuilder("\nExamples:\n");
        foreach (var e in examples)
            sb.Append(e.Comment switch
            {
                null => $"  {e.Line}\n",
                _ when e.Line.Length > maxColumn => $"  # {e.Comment}\n  {e.Line}\n",
                _ => $"  {e.Line.PadRight(column)}# {e.Comment}\n",
            });
        return sb.ToString();
    }

    /// <summary>A command's standard help with the line under "Usage:" replaced by <paramref name="usage"/>.</summary>
    public static string WithUsage(string help, string usage)
    {
        const string heading = "Usage:\n";
        var start = help.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0)
            return help;
        start += heading.Length;
        var end = help.IndexOf('\n', start);
        return help[..start] + "  " + usage + (end < 0 ? "\n" : help[end..]);
    }

    /// <summary>Words wrapped to lines of at most <paramref name="width"/> characters (a longer word stays whole).</summary>
    public static string Wrap(string text, int width)
    {
        var sb = new StringBuilder();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                sb.Append(line).Append('\n');
                line.Clear();
            }
            if (line.Length > 0)
                line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0)
            sb.Append(line).Append('\n');
        return sb.ToString();
    }
}
