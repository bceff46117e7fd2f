using System.CommandLine;
using Vz.Deploy;
using Vz.Deploy.Apply;
using Vz.Deploy.Fleet;
using Vz.Deploy.Push;
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
        Description = $"the fleet file (default ./{FleetLoader.DefaultFile})",
        DefaultValueFactory = _ => FleetLoader.DefaultFile,
    };

    /// <summary>The SSH options every fleet command shares with push.</summary>
    internal sealed record SshArgs(Option<bool> AcceptNew, Option<string?> KnownHosts, Option<string[]> Identity, Option<string?> SshConfig)
    {
        public static SshArgs Create() => new(
            new Option<bool>("--accept-new") { Description = "record host keys of nodes not yet in known_hosts (changed keys are always refused)" },
            new Option<string?>("--known-hosts") { Description = "known_hosts file (default ~/.ssh/known_hosts, or $VZ_KNOWN_HOSTS)" },
            new Option<string[]>("--identity") { Description = "private key file (repeatable; default from ~/.ssh/config, then id_ed25519, id_ecdsa, id_rsa)" },
            new Option<string?>("--ssh-config") { Description = "ssh config file (default ~/.ssh/config, or $VZ_SSH_CONFIG)" });

        public IEnumerable<Option> All => [AcceptNew, KnownHosts, Identity, SshConfig];

        public SshOptions Read(ParseResult parse)
        {
            var defaults = new SshOptions();
            return defaults with
            {
                AcceptNew = parse.GetValue(AcceptNew),
                KnownHostsFile = parse.GetValue(KnownHosts) ?? defaults.KnownHostsFile,
                IdentityFiles = parse.GetValue(Identity) is { Length: > 0 } ids ? ids : defaults.IdentityFiles,
                ConfigFile = parse.GetValue(SshConfig) ?? defaults.ConfigFile,
                PassphrasePrompt = Console.IsInputRedirected ? null : key => Terminal.ReadSecret($"Enter passphrase for key '{key}': "),
            };
        }
    }

    public static Command Create()
    {
        var config = FleetFileOption();
        var group = new Option<string?>("--group", "-g") { Description = "deploy only to the nodes of this inventory group (as ansible --limit)" };
        var pod = new Option<string?>("--pod") { Description = "deploy only this pod" };
        var batch = new Option<int?>("--batch") { Description = "nodes deployed at once after the canary (default: the fleet file's rollout.batch; 0: all the rest)" };
        var lockWait = new Option<string?>("--lock-wait") { Description = "how long to wait for another deploy's lock on a node, e.g. 30s, 2m (default: rollout.lockWait, 60s)" };
        var ssh = SshArgs.Create();
        var parallel = new Option<int>("--parallel") { Description = "nodes read, and deployed within a batch, at once", DefaultValueFactory = _ => 8 };
        var retries = new Option<int>("--retries") { Description = "reconnects per node after a broken link", DefaultValueFactory = _ => 2 };
        var cache = new Option<string?>("--cache") { Description = "local cache of shipped archives, for deltas (default ~/.cache/vz/images, or $VZ_CACHE_DIR)" };
        var vzpatch = new Option<string?>("--vzpatch") { Description = "vzpatch copied to Linux x86_64 nodes without xdelta3 (default $VZ_VZPATCH, else the one beside vzbuild)" };
        var json = new Option<bool>("--json") { Description = "print the report as JSON on stdout (shape: README, vzbuild deploy)" };

        var cmd = new Command("deploy", "Run the fleet file's pods on its nodes: push images as deltas, switch under a dead-man timer, check health, confirm or roll back.");
        foreach (var o in new Option[] { config, group, pod, batch, lockWait }.Concat(ssh.All).Concat([parallel, retries, cache, vzpatch, json]))
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
                    Parallel = Math.Max(1, parse.GetValue(parallel)),
                    Retries = Math.Max(0, parse.GetValue(retries)),
                    CacheDir = parse.GetValue(cache) ?? LocalImageCache.DefaultRoot,
                    Vzpatch = VzpatchBinary.Find(parse.GetValue(vzpatch)),
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
