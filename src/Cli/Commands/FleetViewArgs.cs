using System.CommandLine;
using Vz.Deploy.Apply;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;

namespace Vz.Cli.Commands;

/// <summary>
/// The options ps, diff, logs, rollback and history share with deploy: -c FILE, --group, SSH,
/// --parallel, --retries and --json. Read-only views retry a broken link once by default: a node
/// that stays unreachable is a row that says so, and the operator asks again.
/// </summary>
internal sealed record FleetViewArgs(Option<string> Config, Option<string?> Group, DeployCommand.SshArgs Ssh, Option<int> Parallel, Option<int> Retries, Option<bool> Json)
{
    public static FleetViewArgs Create(string groupWhat, int retries = 1) => new(
        DeployCommand.FleetFileOption(),
        new Option<string?>("--group", "-g") { Description = $"{groupWhat} only the nodes of this inventory group (as ansible --limit)", HelpName = "group" },
        DeployCommand.SshArgs.Create(),
        new Option<int>("--parallel") { Description = $"Nodes worked on at once (1 to {FleetOptions.MaxParallel})", HelpName = "n", DefaultValueFactory = _ => 16 }
            .InRange(1, FleetOptions.MaxParallel),
        new Option<int>("--retries") { Description = $"Reconnects per node after a broken link (0 to {FleetOptions.MaxRetries})", HelpName = "n", DefaultValueFactory = _ => retries }
            .InRange(0, FleetOptions.MaxRetries),
        new Option<bool>("--json") { Description = "Print the report as JSON on stdout (shape: README, JSON output)" });

    public void AddTo(Command cmd, bool json = true)
    {
        foreach (var o in new Option[] { Config, Group }.Concat(Ssh.All).Concat([Parallel, Retries]))
            cmd.Options.Add(o);
        if (json)
            cmd.Options.Add(Json);
    }

    public FleetOptions Fleet(ParseResult parse) => new() { Parallel = parse.GetValue(Parallel), Retries = parse.GetValue(Retries) };

    /// <summary>Reads and validates the fleet file, narrowed to the group (and pod), before any node is touched.</summary>
    public LoadedFleet Load(ParseResult parse, string? pod = null) => FleetLoader.Load(parse.GetValue(Config)!, parse.GetValue(Group), pod, Ssh.Read(parse));

    public SshOptions SshOptions(ParseResult parse) => Ssh.Read(parse);
}
