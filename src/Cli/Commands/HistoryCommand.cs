using System.CommandLine;
using Vz.Cli.Help;
using Vz.Deploy.Apply;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>vzbuild history [-c vz.yaml] [--group G] [--pod P] [--json]</summary>
internal static class HistoryCommand
{
    public static VzCommand Create()
    {
        var args = FleetViewArgs.Create("Read");
        var pod = new Option<string?>("--pod") { Description = "Only this pod's events, on the nodes that run it", HelpName = "pod" };
        var cmd = new VzCommand("history", "Show each node's deploys, updates and rollbacks",
            "Show each node's deploys, updates and rollbacks (by vz, by the dead-man timer, at boot) from its append-only history: " +
            "when, by whom, which release and from which.")
        {
            Examples =
            [
                new("vzbuild history --pod web"),
                new("vzbuild history --json | jq '.nodes[].events[] | select(.event == \"auto-rollback\")'"),
            ],
        };
        args.AddTo(cmd);
        cmd.Options.Add(pod);
        CommandAction.Set(cmd, async (parse, ct) =>
            await RunAsync(args.Load(parse, parse.GetValue(pod)), parse.GetValue(pod), args.Fleet(parse), parse.GetValue(args.Json),
                new SshConnector(args.SshOptions(parse)), CommandAction.Reporter, Console.Out, ct));
        return cmd;
    }

    internal static async Task<int> RunAsync(LoadedFleet fleet, string? pod, FleetOptions options, bool json, INodeConnector connector, IReporter reporter,
        TextWriter stdout, CancellationToken ct)
    {
        var report = await new FleetView(connector, reporter).HistoryAsync(fleet, pod, options, ct);
        var exit = ExitCodes.ForFleet(report.Nodes.Count - report.Failed, report.Failed, report.InternalErrors);
        stdout.Write(json ? HistorySummary.Json(report, exit) + "\n" : HistorySummary.Table(report));
        return exit;
    }
}
