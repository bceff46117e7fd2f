using System.CommandLine;
using Vz.Cli.Help;
using Vz.Deploy.Apply;
using Vz.Deploy.Fleet;
using Vz.Deploy.Push;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>vzbuild rollback [-c vz.yaml] [--group G] [--pod P] [--lock-wait T] [--json]</summary>
internal static class RollbackCommand
{
    public static VzCommand Create()
    {
        var args = FleetViewArgs.Create("Roll back", retries: 2);
        var pod = new Option<string?>("--pod") { Description = "Roll back only this pod", HelpName = "pod" };
        var lockWait = new Option<string?>("--lock-wait") { Description = "How long to wait for a deploy's lock on a node, e.g. 30s, 2m (default: rollout.lockWait, else 60s)", HelpName = "duration" };
        var cmd = new VzCommand("rollback", "Put each pod's previous release back on its nodes",
            "Put each pod's previous release back on its nodes from what they keep (nothing is uploaded), under the same deploy lock, " +
            "dead-man switch and health check as deploy. A previous release that fails its check is rolled back at once (exit 7).")
        {
            Examples =
            [
                new("vzbuild rollback --pod web"),
                new("vzbuild rollback -c prod/vz.yaml --group eu --json"),
            ],
        };
        args.AddTo(cmd);
        cmd.Options.Add(pod);
        cmd.Options.Add(lockWait);
        CommandAction.Set(cmd, async (parse, ct) =>
        {
            TimeSpan? wait = null;
            if (parse.GetValue(lockWait) is { } w)
                wait = Duration.Parse(w) ?? throw new VzException(Vz.Deploy.DeployErrors.BadNodeList, $"--lock-wait '{w}' is not a duration (e.g. 30s, 2m)");
            var fleet = args.Fleet(parse);
            var options = new DeployOptions { LockWait = wait, Parallel = fleet.Parallel, Retries = fleet.Retries, CacheDir = LocalImageCache.DefaultRoot };
            return await RunAsync(args.Load(parse, parse.GetValue(pod)), options, parse.GetValue(args.Json), new SshConnector(args.SshOptions(parse)),
                CommandAction.Reporter, Console.Out, Console.Error, ct);
        });
        return cmd;
    }

    internal static async Task<int> RunAsync(LoadedFleet fleet, DeployOptions options, bool json, INodeConnector connector, IReporter reporter,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var report = await new Rollbacker(connector, reporter).RollbackAsync(fleet, options, ct);
        var exit = ExitCodes.ForDeploy(report.Outcome, report.InternalErrors);
        if (json)
            stdout.Write(RollbackSummary.Json(report, exit) + "\n");
        else
            stderr.Write(RollbackSummary.Table(report));
        return exit;
    }
}
