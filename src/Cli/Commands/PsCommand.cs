using System.CommandLine;
using Vz.Cli.Help;
using Vz.Deploy.Apply;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>vzbuild ps [-c vz.yaml] [--group G] [--json]</summary>
internal static class PsCommand
{
    public static VzCommand Create()
    {
        var args = FleetViewArgs.Create("Show");
        var cmd = new VzCommand("ps", "Show what runs on every node: pods, releases, memory, health",
            "Show what runs on every node: per pod and container the state, image and ID, the release deployed and when, restarts, " +
            "memory against its limit, uptime and health; per node podman's version, free memory and disk. Pods the fleet file no " +
            "longer places there and pods vz did not place are listed too, marked so.")
        {
            Examples =
            [
                new("vzbuild ps"),
                new("vzbuild ps -c prod/vz.yaml --group web"),
                new("vzbuild ps --json | jq -r '.nodes[] | select(.reachable | not) | .node'", "the nodes that did not answer"),
            ],
        };
        args.AddTo(cmd);
        CommandAction.Set(cmd, async (parse, ct) =>
            await RunAsync(args.Load(parse), args.Fleet(parse), parse.GetValue(args.Json), new SshConnector(args.SshOptions(parse)), CommandAction.Reporter, Console.Out, Console.Error, ct));
        return cmd;
    }

    internal static async Task<int> RunAsync(LoadedFleet fleet, FleetOptions options, bool json, INodeConnector connector, IReporter reporter,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var report = await new FleetView(connector, reporter).PsAsync(fleet, options, ct);
        var exit = ExitCodes.ForFleet(report.Nodes.Count - report.Failed, report.Failed, report.InternalErrors);
        if (json)
            stdout.Write(PsSummary.Json(report, exit) + "\n");
        else
            stdout.Write(PsSummary.Table(report));
        return exit;
    }
}
