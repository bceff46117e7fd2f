using System.CommandLine;
using Vz.Cli.Help;
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
    public static VzCommand Create()
    {
        var args = FleetViewArgs.Create("Compare");
        var pod = new Option<string?>("--pod") { Description = "Compare only this pod (other pods vz placed are not called extra)", HelpName = "pod" };
        var disk = new Option<string?>("--disk-low") { Description = $"Free disk below this is a finding, e.g. 1Gi (default: {Quantity.Text(DriftCheck.DiskLowBytes)})", HelpName = "size" };
        var memory = new Option<string?>("--memory-low") { Description = $"Available memory below this is a finding (default: {Quantity.Text(DriftCheck.MemoryLowBytes)})", HelpName = "size" };
        var cmd = new VzCommand("diff", "Compare the fleet file with what every node runs",
            "Compare what the fleet file wants (rendered exactly as deploy would write it) with what every node runs: one line per " +
            "difference, naming node, pod and what differs. A rerun of deploy repairs every line but notes. " +
            $"Exit {ExitCodes.Ok} converged, {ExitCodes.Drifted} drifted, {ExitCodes.PartialFailure}/{ExitCodes.AllFailed} some/all nodes not read.")
        {
            Examples =
            [
                new("vzbuild diff"),
                new("vzbuild diff --group web --pod api --disk-low 1Gi"),
                new("vzbuild diff --json | jq '.findings[] | select(.note | not)'", "the differences, not the notes"),
            ],
        };
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
