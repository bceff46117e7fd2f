using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Deploy;
using Vz.Deploy.Inventory;
using Vz.Deploy.Provision;
using Vz.Deploy.Push;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Cli.Commands;

/// <summary>vzbuild node add IP ... | vzbuild node check [HOST...] ...</summary>
internal static class NodeCommand
{
    /// <summary>Everything node add was asked, parsed from the command line.</summary>
    internal sealed record AddCommandOptions(string Host, int Port, string User, string? Inventory, string Group,
        bool PasswordStdin, bool AcceptNew, bool SecurityUpdates, VzpatchBinary? Vzpatch, SshOptions Ssh, bool Json = false);

    /// <summary>Everything node check was asked.</summary>
    internal sealed record CheckCommandOptions(IReadOnlyList<string> Hosts, string? Inventory, string? Group, bool Json, int Parallel, SshOptions Ssh);

    public static VzCommand Create()
    {
        var cmd = new VzCommand("node", "Prepare and check nodes", "Prepare a new VPS as a vz node (add), or check that nodes are ready (check).")
        {
            Examples = [new("vzbuild node add 203.0.113.7 -i hosts.ini -g web"), new("vzbuild node check -i hosts.ini")],
        };
        cmd.Subcommands.Add(CreateAdd());
        cmd.Subcommands.Add(CreateCheck());
        return cmd;
    }

    static VzCommand CreateAdd()
    {
        var host = new Argument<string>("host") { Description = "The new node's address (IP or name), as the provider's email gives it" };
        var group = new Option<string>("--group", "-g") { Description = "Inventory group the node joins", HelpName = "group", DefaultValueFactory = _ => "nodes" };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory to add the node to (made when missing; comments and order kept)", HelpName = "file" };
        var user = new Option<string?>("--user") { Description = "Deploy user to create (default: your own user name; required when you run vzbuild as root)", HelpName = "name" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read root's password from the first line of stdin (else it is asked on the terminal, without echo)" };
        var acceptNew = new Option<bool>("--accept-new") { Description = "Trust the node's host key without asking (it is still shown, and recorded hashed)" };
        var securityUpdates = new Option<bool>("--security-updates") { Description = "Apply the distribution's security updates (dnf --security; Debian/Ubuntu's security pocket)" };
        var port = new Option<int>("--port", "-p") { Description = "ssh port of the node", HelpName = "port", DefaultValueFactory = _ => 22 }.InRange(1, 65535);
        var vzpatch = new Option<string?>("--vzpatch") { Description = "vzpatch copied to nodes whose distribution has no xdelta3 (Rocky/Alma/RHEL 8; default: $VZ_VZPATCH, else the one beside vzbuild)", HelpName = "file" };
        var ssh = DeployCommand.SshArgs.Create();
        var json = new Option<bool>("--json") { Description = "Print what was changed as JSON on stdout; questions and progress stay on stderr (shape: README, JSON output)" };

        var cmd = new VzCommand("add", "Turn a VPS with a root password into a node reached by key",
            "Turn a VPS reachable by root password (or root key) into a vz node, changing only what is missing: the host key trusted " +
            "on first use, the deploy user with your key and passwordless sudo, podman, xdelta3, subordinate ids, linger; then, once " +
            "key login and sudo are proven, password logins off; the node joins the inventory. A second run changes nothing.")
        {
            Examples =
            [
                new("vzbuild node add 203.0.113.7 -i hosts.ini -g web", "asks about the host key and for the password"),
                new("printf '%s\\n' \"$ROOT_PW\" | vzbuild node add 203.0.113.7 --password-stdin --accept-new -i hosts.ini"),
                new("vzbuild node add 203.0.113.7 --accept-new --json | jq .nodeChanged"),
            ],
        };
        cmd.Arguments.Add(host);
        foreach (var o in new Option[] { group, inventory, user, passwordStdin, acceptNew, securityUpdates, port, vzpatch }.Concat(ssh.KeyFiles).Append(json))
            cmd.Options.Add(o);
        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var options = new AddCommandOptions(
                parse.GetValue(host)!,
                parse.GetValue(port),
                DeployUser.Validate(parse.GetValue(user) ?? DeployUser.Default(Environment.UserName)),
                parse.GetValue(inventory),
                parse.GetValue(group)!,
                parse.GetValue(passwordStdin),
                parse.GetValue(acceptNew),
                parse.GetValue(securityUpdates),
                VzpatchBinary.Find(parse.GetValue(vzpatch)),
                // stdin holds the password: no passphrase question may read it.
                ssh.Read(parse, canAsk: !parse.GetValue(passwordStdin)),
                parse.GetValue(json));
            return await AddAsync(options, CommandAction.Reporter, ct);
        });
        return cmd;
    }

    internal static async Task<int> AddAsync(AddCommandOptions o, IReporter reporter, CancellationToken ct)
    {
        var resolver = new TargetResolver(SshConfig.Load(o.Ssh.ConfigFile), o.Ssh, new NodeSettings());
        var resolved = resolver.FromSpec(o.Host);
        var root = resolved with { Name = o.Host, User = "root", Port = o.Port == 22 ? resolved.Port : o.Port };
        var prompts = new NodeAddPrompts(
            key => TrustHostKey(root, key, o),
            () => ReadPassword(root, o));
        var result = await new NodeAdder(new SshConnector(o.Ssh), o.Ssh, reporter).AddAsync(new NodeAddOptions
        {
            Root = root,
            User = o.User,
            Inventory = o.Inventory,
            Group = o.Group,
            SecurityUpdates = o.SecurityUpdates,
            Vzpatch = o.Vzpatch,
        }, prompts, ct);
        if (o.Json)
            Console.Out.Write(FleetJson.NodeAdd(result, o.Inventory) + "\n");
        else
            Console.Error.Write(Summary(result, o.Ssh.KnownHostsFile, o.Inventory));
        return ExitCodes.Ok;
    }

    /// <summary>The trust-on-first-use question, with the fingerprint; --accept-new answers yes, no terminal answers no.</summary>
    static bool TrustHostKey(NodeTarget root, string key, AddCommandOptions o)
    {
        var name = KnownHosts.HostName(root.Host, root.Port);
        Console.Error.WriteLine($"{name} is not in {o.Ssh.KnownHostsFile}; it offers the host key {key}");
        if (o.AcceptNew)
            return true;
        if (!Terminal.CanAsk || o.PasswordStdin)
            return false;
        return Terminal.Confirm("Is this the key your provider shows for the VPS? Trust it and record it (hashed)?");
    }

    /// <summary>Root's password: the first line of stdin with --password-stdin, else asked on the terminal; null when neither can give one.</summary>
    static SshPassword? ReadPassword(NodeTarget root, AddCommandOptions o)
    {
        string? text;
        if (o.PasswordStdin)
            text = Console.In.ReadLine();
        else if (Terminal.CanAsk)
            text = Terminal.ReadSecret($"root@{root.Host}'s password: ");
        else
            return null;
        return string.IsNullOrEmpty(text) ? null : new SshPassword(text);
    }

    static string Summary(NodeAddResult r, string knownHosts, string? inventory)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($"{r.Node}: {r.Os.PrettyName}, logged in as {r.LoggedInAs}\n");
        if (r.HostKeyRecorded is { } key)
            sb.Append($"  recorded host key {key} in {knownHosts} (hashed)\n");
        foreach (var c in r.Changes)
            sb.Append($"  changed: {c}\n");
        if (r.Inventory is { } inv)
            sb.Append($"  inventory {inventory}: {inv.Summary}\n");
        foreach (var n in r.Notes)
            sb.Append($"  note: {n}\n");
        sb.Append(r.NodeChanged
            ? $"{r.Node} is ready: key login as {r.User}, passwordless sudo, password logins off\n"
            : $"{r.Node} was ready already: nothing changed on the node\n");
        return sb.ToString();
    }

    static VzCommand CreateCheck()
    {
        var hosts = new Argument<string[]>("host") { Description = "Nodes to check: inventory host names or [user@]host[:port] (default: the inventory's --group, or all)", Arity = ArgumentArity.ZeroOrMore };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory (ansible_user is the user checked)", HelpName = "file" };
        var group = new Option<string?>("--group", "-g") { Description = "Inventory group to check (default: all)", HelpName = "group" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout (shape: README, JSON output)" };
        var parallel = new Option<int>("--parallel") { Description = $"Nodes checked at once (1 to {FleetOptions.MaxParallel})", HelpName = "n", DefaultValueFactory = _ => 4 }
            .InRange(1, FleetOptions.MaxParallel);
        var ssh = DeployCommand.SshArgs.Create();
        var cmd = new VzCommand("check", "Check that nodes are ready for vz",
            "Log in as each node's deploy user by key and check it is ready for vz: sudo, podman (and Quadlet), a test container, " +
            "xdelta3 or vzpatch, cgroups, the firewall, free memory and disk, and nothing of vz's left running. One row per node; " +
            $"exit {ExitCodes.NodesNotReady} when one is not ready.")
        {
            Examples =
            [
                new("vzbuild node check -i hosts.ini -g web"),
                new("vzbuild node check deploy@203.0.113.7 --json"),
            ],
        };
        cmd.Arguments.Add(hosts);
        foreach (var o in new Option[] { inventory, group, json, parallel }.Concat(ssh.KeyFiles))
            cmd.Options.Add(o);
        CommandAction.Set(cmd, async (parse, ct) => await CheckAsync(new CheckCommandOptions(
            parse.GetValue(hosts) ?? [], parse.GetValue(inventory), parse.GetValue(group), parse.GetValue(json),
            parse.GetValue(parallel), ssh.Read(parse)), CommandAction.Reporter, ct));
        return cmd;
    }

    internal static async Task<int> CheckAsync(CheckCommandOptions o, IReporter reporter, CancellationToken ct, INodeConnector? connector = null,
        TextWriter? stdout = null)
    {
        var targets = Targets(o);
        var result = await new NodeChecker(connector ?? new SshConnector(o.Ssh), reporter, new FleetOptions { Parallel = o.Parallel, Retries = 1 })
            .CheckAsync(targets, ct);
        var exit = ExitCodes.ForNodeCheck(result.Nodes.Count(n => n.Value?.Ready == true), result.Nodes.Count(n => n.Value?.Ready != true), result.InternalErrors);
        if (o.Json)
            (stdout ?? Console.Out).Write(CliJson.WithExitCode(NodeCheckSummary.Json(result), exit) + "\n");
        else
            Console.Error.Write(NodeCheckSummary.Table(result));
        return exit;
    }

    /// <summary>Named hosts (looked up in the inventory when one is given, for their ansible_user), else the inventory's group.</summary>
    static IReadOnlyList<NodeTarget> Targets(CheckCommandOptions o)
    {
        if (o.Hosts.Count == 0)
        {
            if (o.Inventory is null)
                throw new VzException(DeployErrors.NoNodes, "no nodes to check", "name them (vzbuild node check HOST...), or give an inventory with -i");
            return TargetResolver.Resolve([], o.Inventory, o.Group, o.Ssh, new NodeSettings());
        }
        if (o.Group is not null)
            throw new VzException(DeployErrors.BadNodeList, "name hosts or a --group, not both");
        var resolver = new TargetResolver(SshConfig.Load(o.Ssh.ConfigFile), o.Ssh, new NodeSettings());
        var inventory = o.Inventory is null ? [] : AnsibleInventory.Load(o.Inventory).HostsOf("all");
        return o.Hosts.Select(h => inventory.FirstOrDefault(i => i.Name == h) is { } known ? resolver.FromInventory(known) : resolver.FromSpec(h)).ToList();
    }
}
