using System.CommandLine;
using Vz.Deploy.Apply;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>vzbuild ps [-c vz.yaml] [--group G] [--json]</summary>
internal static class PsCommand
{
    public static Command Create()
    {
        var args = FleetViewArgs.Create("show");
        var cmd = new Command("ps", "Show what runs on every node: per pod state, image and ID, release and when, restarts, memory, uptime, health; per node podman, memory, disk.");
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
