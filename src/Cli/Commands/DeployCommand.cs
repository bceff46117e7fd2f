using System.CommandLine;
using Vz.Cli.Help;
using Vz.Deploy;
using Vz.Deploy.Apply;
using Vz.Deploy.Fleet;
using Vz.Deploy.Push;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Cli.Commands;

/// <summary>vzbuild deploy [-c vz.yaml] [--group G] [--pod P] [--batch N] [--lock-wait T] [--accept-new] [--json]</summary>
internal static class DeployCommand
{
    /// <summary>Everything deploy was asked to do, parsed from the command line.</summary>
    internal sealed record DeployCommandOptions(string FleetFile, string? Group, string? Pod, bool Json, DeployOptions Deploy, SshOptions Ssh);

    /// <summary>-c FILE, the fleet file every fleet command reads (-f stays free for logs -f).</summary>
    internal static Option<string> FleetFileOption() => new("--config", "-c")
    {
        Description = "The fleet file",
        HelpName = "file",
        DefaultValueFactory = _ => FleetLoader.DefaultFile,
    };

    /// <summary>--cache, where deploy and push keep the archives they shipped (deltas are made against them).</summary>
    internal static Option<string?> CacheOption() => new("--cache")
    {
        Description = "Local cache of shipped archives, for deltas (default: ~/.cache/vz/images, or $VZ_CACHE_DIR)",
        HelpName = "dir",
    };

    /// <summary>--vzpatch, the decoder copied to nodes that lack xdelta3.</summary>
    internal static Option<string?> VzpatchOption() => new("--vzpatch")
    {
        Description = "vzpatch copied to Linux x86_64 nodes without xdelta3 (default: $VZ_VZPATCH, else the one beside vzbuild)",
        HelpName = "file",
    };

    /// <summary>The SSH options every fleet command shares with push.</summary>
    internal sealed record SshArgs(Option<bool> AcceptNew, Option<string?> KnownHosts, Option<string[]> Identity, Option<string?> SshConfig)
    {
        public static SshArgs Create() => new(
            new Option<bool>("--accept-new") { Description = "Record host keys of nodes not yet in known_hosts (changed keys are always refused)" },
            new Option<string?>("--known-hosts") { Description = "known_hosts file (default: ~/.ssh/known_hosts, or $VZ_KNOWN_HOSTS)", HelpName = "file" },
            new Option<string[]>("--identity") { Description = "Private key file (repeatable; default: from ~/.ssh/config, then id_ed25519, id_ecdsa, id_rsa)", HelpName = "file" },
            new Option<string?>("--ssh-config") { Description = "ssh config file (default: ~/.ssh/config, or $VZ_SSH_CONFIG)", HelpName = "file" });

        public IEnumerable<Option> All => [AcceptNew, KnownHosts, Identity, SshConfig];

        /// <summary>The options but --accept-new, for commands that ask about host keys their own way (node add, node check).</summary>
        public IEnumerable<Option> KeyFiles => [KnownHosts, Identity, SshConfig];

        public SshOptions Read(ParseResult parse, bool canAsk = true)
        {
            var defaults = new SshOptions();
            return defaults with
            {
                // Not an option of node add and node check, which ask about host keys their own way.
                AcceptNew = parse.GetResult(AcceptNew) is not null && parse.GetValue(AcceptNew),
                KnownHostsFile = parse.GetValue(KnownHosts) ?? defaults.KnownHostsFile,
                IdentityFiles = parse.GetValue(Identity) is { Length: > 0 } ids ? ids : defaults.IdentityFiles,
                ConfigFile = parse.GetValue(SshConfig) ?? defaults.ConfigFile,
                PassphrasePrompt = !canAsk || !Terminal.CanAsk ? null : key => Terminal.ReadSecret($"Enter passphrase for key '{key}': "),
            };
        }
    }

    public static VzCommand Create()
    {
        var config = FleetFileOption();
        var group = new Option<string?>("--group", "-g") { Description = "Deploy only to the nodes of this inventory group (as ansible --limit)", HelpName = "group" };
        var pod = new Option<string?>("--pod") { Description = "Deploy only this pod", HelpName = "pod" };
        var batch = new Option<int?>("--batch") { Description = "Nodes deployed at once after the canary (default: the fleet file's rollout.batch; 0: all the rest)", HelpName = "n" };
        var lockWait = new Option<string?>("--lock-wait") { Description = "How long to wait for another deploy's lock on a node, e.g. 30s, 2m (default: rollout.lockWait, else 60s)", HelpName = "duration" };
        var ssh = SshArgs.Create();
        var parallel = new Option<int>("--parallel") { Description = $"Nodes read, and deployed within a batch, at once (1 to {FleetOptions.MaxParallel})", HelpName = "n", DefaultValueFactory = _ => 8 }
            .InRange(1, FleetOptions.MaxParallel);
        var retries = new Option<int>("--retries") { Description = $"Reconnects per node after a broken link (0 to {FleetOptions.MaxRetries})", HelpName = "n", DefaultValueFactory = _ => 2 }
            .InRange(0, FleetOptions.MaxRetries);
        var cache = CacheOption();
        var vzpatch = VzpatchOption();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (shape: README, JSON output)" };
        var prune = new Option<bool>("--prune") { Description = "Also stop and remove pods vz placed on a node that the fleet file no longer places there (their volumes stay)" };

        var cmd = new VzCommand("deploy", "Run the fleet file's pods on its nodes, a canary first",
            "Run the fleet file's pods on its nodes under systemd, leaving nothing of vz running there. Every file is checked before " +
            "any node is touched, nodes already running the release are left unchanged, and the others go a canary first, then in " +
            "batches: per node take its deploy lock, push the images as deltas, arm a dead-man timer, switch, check the pod from the " +
            "node, then confirm or roll back at once. Exit 7 when a new version was rolled back somewhere.")
        {
            Examples =
            [
                new("vzbuild deploy", "./vz.yaml"),
                new("vzbuild deploy -c prod/vz.yaml --group web --pod api --batch 2"),
                new("vzbuild deploy --json | jq '.nodes[] | {node, outcome}'"),
                new("vzbuild deploy --prune", "api was taken out of vz.yaml: remove it from its nodes"),
            ],
        };
        foreach (var o in new Option[] { config, group, pod, batch, lockWait }.Concat(ssh.All).Concat([parallel, retries, cache, vzpatch, prune, json]))
            cmd.Options.Add(o);

        CommandAction.Set(cmd, async (parse, ct) =>
        {
            TimeSpan? wait = null;
            if (parse.GetValue(lockWait) is { } w)
                wait = Duration.Parse(w) ?? throw new VzException(DeployErrors.BadNodeList, $"--lock-wait '{w}' is not a duration (e.g. 30s, 2m)");
            if (parse.GetValue(batch) is < 0)
                throw new VzException(DeployErrors.BadNodeList, "--batch must be 0 (all at once) or more");
            var options = new DeployCommandOptions(parse.GetValue(config)!, parse.GetValue(group), parse.GetValue(pod), parse.GetValue(json),
                new DeployOptions
                {
                    Batch = parse.GetValue(batch),
                    LockWait = wait,
                    Parallel = parse.GetValue(parallel),
                    Retries = parse.GetValue(retries),
                    CacheDir = parse.GetValue(cache) ?? LocalImageCache.DefaultRoot,
                    Vzpatch = VzpatchBinary.Find(parse.GetValue(vzpatch)),
                    Prune = parse.GetValue(prune),
                },
                ssh.Read(parse));
            return await RunAsync(options, CommandAction.Reporter, Console.Out, Console.Error, ct);
        });
        return cmd;
    }

    /// <summary>
    /// Deploy as the command line asked; <paramref name="connector"/> replaces SSH in tests. The fleet
    /// is read and validated before any connection is opened.
    /// </summary>
    internal static async Task<int> RunAsync(DeployCommandOptions o, IReporter reporter, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        INodeConnector? connector = null)
    {
        var fleet = FleetLoader.Load(o.FleetFile, o.Group, o.Pod, o.Ssh);
        var report = await new Deployer(connector ?? new SshConnector(o.Ssh), reporter).DeployAsync(fleet, o.Deploy, ct);
        var exit = ExitCodes.ForDeploy(report.Outcome, report.InternalErrors);
        if (o.Json)
            stdout.Write(DeploySummary.Json(report, exit) + "\n");
        else
            stderr.Write(DeploySummary.Table(report));
        return exit;
    }
}
