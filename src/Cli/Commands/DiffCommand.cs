using System.CommandLine;
using Vz.Deploy;
using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Pods;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>vzbuild diff [-c vz.yaml] [--group G] [--pod P] [--disk-low SIZE] [--memory-low SIZE] [--json]</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var args = FleetViewArgs.Create("compare");
        var pod = new Option<string?>("--pod") { Description = "compare only this pod (other pods vz placed are not called extra)" };
        var disk = new Option<string?>("--disk-low") { Description = $"free disk below this is a finding (default {Quantity.Text(DriftCheck.DiskLowBytes)}; e.g. 1Gi)" };
        var memory = new Option<string?>("--memory-low") { Description = $"available memory below this is a finding (default {Quantity.Text(DriftCheck.MemoryLowBytes)})" };
        var cmd = new Command("diff", "Compare what the fleet file wants with what every node runs; one line per difference. Exit 0 converged, 9 drifted, 4/5 nodes not read.");
        args.AddTo(cmd);
        foreach (var o in new Option[] { pod, disk, memory })
            cmd.Options.Add(o);
        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var limits = new DriftLimits(Size(parse.GetValue(disk), "--disk-low") ?? DriftCheck.DiskLowBytes, Size(parse.GetValue(memory), "--memory-low") ?? DriftCheck.MemoryLowBytes);
            return await RunAsync(args.Load(parse, parse.GetValue(pod)), args.Fleet(parse), limits, parse.GetValue(args.Json),
                new SshConnector(args.SshOptions(parse)), CommandAction.Reporter, Console.Out, ct);
        });
        return cmd;
    }

    static long? Size(string? text, string option) => text is null ? null
        : Quantity.Memory(text).Bytes ?? throw new VzException(DeployErrors.BadNodeList, $"{option} '{text}' is not a size (e.g. 512Mi, 1Gi)");

    internal static async Task<int> RunAsync(LoadedFleet fleet, FleetOptions options, DriftLimits limits, bool json, INodeConnector connector, IReporter reporter,
        TextWriter stdout, CancellationToken ct)
    {
        var report = await new FleetView(connector, reporter).DiffAsync(fleet, options, limits, ct);
        var exit = ExitCodes.ForDiff(report.Outcome, report.Read, report.Failed, report.InternalErrors);
        stdout.Write(json ? DiffSummary.Json(report, exit) + "\n" : DiffSummary.Lines(report));
        return exit;
    }
}
