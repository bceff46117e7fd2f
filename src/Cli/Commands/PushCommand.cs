using System.CommandLine;
using System.Text;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Deploy;
using Vz.Deploy.Push;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Cli.Commands;

/// <summary>vzbuild push IMAGE.tar --to HOST... | -i hosts.ini --group G [--delta]</summary>
internal static class PushCommand
{
    /// <summary>Everything push was asked to do, parsed from the command line.</summary>
    internal sealed record PushCommandOptions(
        IReadOnlyList<string> To, string? Inventory, string? Group, bool Json,
        PushOptions Push, SshOptions Ssh, NodeSettings Node);

    public static VzCommand Create()
    {
        var archive = new Argument<string>("image") { Description = "Image archive to push (a plain tar, as vzbuild image writes)" };
        var to = new Option<string[]>("--to") { Description = "Node: [user@]host[:port] or a ~/.ssh/config alias (repeatable)", HelpName = "host", AllowMultipleArgumentsPerToken = false };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory naming the nodes", HelpName = "file" };
        var group = new Option<string?>("--group", "-g") { Description = "Inventory group to push to (default: all)", HelpName = "group" };
        var delta = new Option<bool>("--delta") { Description = "Send an xdelta3 delta against each node's current version when smaller" };
        var ssh = DeployCommand.SshArgs.Create();
        var store = new Option<string?>("--store") { Description = $"Image store on the nodes (default: {NodeSettings.DefaultStore}; inventory var vz_store)", HelpName = "dir" };
        var runtime = new Option<string?>("--runtime") { Description = "podman --runtime on the nodes (inventory var vz_runtime)", HelpName = "name" };
        var cgroupManager = new Option<string?>("--cgroup-manager") { Description = "podman --cgroup-manager on the nodes (inventory var vz_cgroup_manager)", HelpName = "name" };
        var remoteEnv = new Option<string[]>("--remote-env") { Description = "KEY=VALUE set for podman on the nodes, e.g. CONTAINERS_CONF=/etc/vz/containers.conf (repeatable)", HelpName = "key=value" };
        var parallel = new Option<int>("--parallel") { Description = $"Nodes pushed at once (1 to {FleetOptions.MaxParallel})", HelpName = "n", DefaultValueFactory = _ => 4 }
            .InRange(1, FleetOptions.MaxParallel);
        var retries = new Option<int>("--retries") { Description = $"Reconnect-and-resume attempts per node after a broken link (0 to {FleetOptions.MaxRetries})", HelpName = "n", DefaultValueFactory = _ => 2 }
            .InRange(0, FleetOptions.MaxRetries);
        var cache = DeployCommand.CacheOption();
        var vzpatch = DeployCommand.VzpatchOption();
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout (shape: README, JSON output)" };

        var cmd = new VzCommand("push", "Upload an image to nodes, as a delta with --delta; verify, load",
            "Upload an image archive to each node's store over SFTP (a broken upload resumes), verify its sha256 there, podman load it " +
            "and record it as current, keeping the previous version for rollback. With --delta a node holding an earlier version gets " +
            "an xdelta3 delta instead, applied and verified on the node before anything uses it. Host keys are checked against " +
            "known_hosts: unknown hosts are refused unless --accept-new, changed keys always.")
        {
            Examples =
            [
                new("vzbuild push app-2.oci.tar -i hosts.ini -g web --delta"),
                new("vzbuild push app-1.oci.tar --to deploy@203.0.113.7 --to web2 --accept-new", "nodes by address or ssh alias"),
                new("vzbuild push app-2.oci.tar -i hosts.ini --delta --json | jq '.nodes[] | {node, mode, bytesSent}'"),
            ],
        };
        cmd.Arguments.Add(archive);
        foreach (var o in new Option[] { to, inventory, group, delta }.Concat(ssh.All).Concat([store, runtime, cgroupManager, remoteEnv, parallel, retries, cache, vzpatch, json]))
            cmd.Options.Add(o);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var wantDelta = parse.GetValue(delta);
            var options = new PushCommandOptions(
                parse.GetValue(to) ?? [],
                parse.GetValue(inventory),
                parse.GetValue(group),
                parse.GetValue(json),
                new PushOptions(parse.GetValue(archive)!)
                {
                    Delta = wantDelta,
                    Parallel = parse.GetValue(parallel),
                    Retries = parse.GetValue(retries),
                    CacheDir = parse.GetValue(cache) ?? LocalImageCache.DefaultRoot,
                    // Only deltas need it; a push without --delta never fails over a missing vzpatch.
                    Vzpatch = wantDelta ? VzpatchBinary.Find(parse.GetValue(vzpatch)) : null,
                },
                ssh.Read(parse),
                new NodeSettings
                {
                    Store = parse.GetValue(store) ?? NodeSettings.DefaultStore,
                    Runtime = parse.GetValue(runtime),
                    CgroupManager = parse.GetValue(cgroupManager),
                    Env = ParseEnv(parse.GetValue(remoteEnv) ?? []),
                });
            return await RunAsync(options, CommandAction.Reporter, ct);
        });
        return cmd;
    }

    /// <summary>Push as the command line asked; <paramref name="connector"/> replaces SSH in tests, the writers the console.</summary>
    internal static async Task<int> RunAsync(PushCommandOptions o, IReporter reporter, CancellationToken ct, INodeConnector? connector = null,
        TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var targets = TargetResolver.Resolve(o.To, o.Inventory, o.Group, o.Ssh, o.Node);
        var report = await new Pusher(connector ?? new SshConnector(o.Ssh), reporter).PushAsync(o.Push, targets, ct);
        var exit = ExitCodes.ForFleet(report.Succeeded, report.Failed, report.InternalErrors);
        if (o.Json)
            (stdout ?? Console.Out).Write(CliJson.WithExitCode(PushSummary.Json(report), exit) + "\n");
        else
            // Node errors quote what nodes printed: escaped like every other line vzbuild prints.
            (stderr ?? Console.Error).Write(RawText.PrintableLines(PushSummary.Table(report)));
        return exit;
    }

    static IReadOnlyDictionary<string, string> ParseEnv(string[] pairs)
    {
        var env = new Dictionary<string, string>();
        foreach (var p in pairs)
        {
            var eq = p.IndexOf('=');
            if (eq <= 0)
                throw new VzException(DeployErrors.BadNodeList, $"--remote-env '{p}' is not KEY=VALUE");
            env[p[..eq]] = p[(eq + 1)..];
        }
        return env;
    }
}
