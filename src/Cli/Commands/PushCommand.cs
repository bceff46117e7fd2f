using System.CommandLine;
using System.Text;
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

    public static Command Create()
    {
        var archive = new Argument<string>("image") { Description = "OCI image archive (plain tar) to push" };
        var to = new Option<string[]>("--to") { Description = "node: [user@]host[:port] or a ~/.ssh/config alias (repeatable)", AllowMultipleArgumentsPerToken = false };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory" };
        var group = new Option<string?>("--group", "-g") { Description = "inventory group to push to (default: all)" };
        var delta = new Option<bool>("--delta") { Description = "send an xdelta3 delta against each node's current version when smaller" };
        var acceptNew = new Option<bool>("--accept-new") { Description = "record host keys of nodes not yet in known_hosts (changed keys are always refused)" };
        var knownHosts = new Option<string?>("--known-hosts") { Description = "known_hosts file (default ~/.ssh/known_hosts, or $VZ_KNOWN_HOSTS)" };
        var identity = new Option<string[]>("--identity") { Description = "private key file (repeatable; default from ~/.ssh/config, then id_ed25519, id_ecdsa, id_rsa)" };
        var sshConfig = new Option<string?>("--ssh-config") { Description = "ssh config file (default ~/.ssh/config, or $VZ_SSH_CONFIG)" };
        var store = new Option<string?>("--store") { Description = $"image store on the nodes (default {NodeSettings.DefaultStore}; inventory var vz_store)" };
        var runtime = new Option<string?>("--runtime") { Description = "podman --runtime on the nodes (inventory var vz_runtime)" };
        var cgroupManager = new Option<string?>("--cgroup-manager") { Description = "podman --cgroup-manager on the nodes (inventory var vz_cgroup_manager)" };
        var remoteEnv = new Option<string[]>("--remote-env") { Description = "KEY=VALUE set for podman on the nodes, e.g. CONTAINERS_CONF=/etc/vz/containers.conf (repeatable)" };
        var parallel = new Option<int>("--parallel") { Description = $"nodes pushed at once (1 to {FleetOptions.MaxParallel})", DefaultValueFactory = _ => 4 }
            .InRange(1, FleetOptions.MaxParallel);
        var retries = new Option<int>("--retries") { Description = $"reconnect-and-resume attempts per node after a broken link (0 to {FleetOptions.MaxRetries})", DefaultValueFactory = _ => 2 }
            .InRange(0, FleetOptions.MaxRetries);
        var cache = new Option<string?>("--cache") { Description = "local cache of pushed archives (default ~/.cache/vz/images, or $VZ_CACHE_DIR)" };
        var vzpatch = new Option<string?>("--vzpatch") { Description = "vzpatch binary copied to Linux x86_64 nodes without xdelta3 to apply deltas (default $VZ_VZPATCH, else the one beside vzbuild)" };
        var json = new Option<bool>("--json") { Description = "print the summary as JSON on stdout" };

        var cmd = new Command("push", "Upload an image to nodes over SSH (optionally as a delta), verify it, and podman load it.");
        cmd.Arguments.Add(archive);
        foreach (var o in new Option[] { to, inventory, group, delta, acceptNew, knownHosts, identity, sshConfig, store, runtime, cgroupManager, remoteEnv, parallel, retries, cache, vzpatch, json })
            cmd.Options.Add(o);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var defaults = new SshOptions();
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
                defaults with
                {
                    AcceptNew = parse.GetValue(acceptNew),
                    KnownHostsFile = parse.GetValue(knownHosts) ?? defaults.KnownHostsFile,
                    IdentityFiles = parse.GetValue(identity) is { Length: > 0 } ids ? ids : defaults.IdentityFiles,
                    ConfigFile = parse.GetValue(sshConfig) ?? defaults.ConfigFile,
                    PassphrasePrompt = Console.IsInputRedirected ? null : AskPassphrase,
                },
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

    /// <summary>Push as the command line asked; <paramref name="connector"/> replaces SSH in tests.</summary>
    internal static async Task<int> RunAsync(PushCommandOptions o, IReporter reporter, CancellationToken ct, INodeConnector? connector = null)
    {
        var targets = TargetResolver.Resolve(o.To, o.Inventory, o.Group, o.Ssh, o.Node);
        var report = await new Pusher(connector ?? new SshConnector(o.Ssh), reporter).PushAsync(o.Push, targets, ct);
        if (o.Json)
            Console.Out.Write(PushSummary.Json(report) + "\n");
        else
            // Node errors quote what nodes printed: escaped like every other line vzbuild prints.
            Console.Error.Write(RawText.PrintableLines(PushSummary.Table(report)));
        return ExitCodes.ForFleet(report.Succeeded, report.Failed, report.InternalErrors);
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

    /// <summary>Reads a key passphrase from the terminal without echo.</summary>
    static string? AskPassphrase(string keyPath) => Terminal.ReadSecret($"Enter passphrase for key '{keyPath}': ");
}
