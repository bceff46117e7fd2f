using System.CommandLine;

namespace Vz.Cli.Help;

/// <summary>
/// One line of a command's Examples section: a shell line as a person types it (vzbuild and, around
/// it, a pipe or a redirect), and what it does. A test parses the vzbuild part of every example.
/// </summary>
internal sealed record Example(string Line, string? Comment = null);

/// <summary>
/// A vzbuild command with what its help shows besides options: a one-line summary for the root
/// help's list, and examples. Every command vzbuild registers is one (a test checks).
/// </summary>
internal sealed class VzCommand(string name, string summary, string description) : Command(name, description)
{
    /// <summary>One line for <c>vzbuild --help</c>'s list (the description stays for the command's own help).</summary>
    public string Summary { get; } = summary;

    public IReadOnlyList<Example> Examples { get; init; } = [];

    /// <summary>
    /// The usage line, where System.CommandLine's would mislead: <c>vzbuild trace [options] -- &lt;command&gt;...</c>, since
    /// options go before the <c>--</c> and the traced command's own options after it.
    /// </summary>
    public string? Usage { get; init; }
}

/// <summary>A heading of the root help and the commands listed under it.</summary>
internal sealed record CommandGroup(string Title, IReadOnlyList<VzCommand> Commands);
