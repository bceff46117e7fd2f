using System.CommandLine;
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
        bool PasswordStdin, bool AcceptNew, bool SecurityUpdates, VzpatchBinary? Vzpatch, SshOptions Ssh);

    /// <summary>Everything node check was asked.</summary>
    internal sealed record CheckCommandOptions(IReadOnlyList<string> Hosts, string? Inventory, string? Group, bool Json, int Parallel, SshOptions Ssh);

    public static Command Create()
    {
        var cmd = new Command("node", "Prepare a new VPS as a vz node (add), or check that nodes are ready (check).");
        cmd.Subcommands.Add(CreateAdd());
        cmd.Subcommands.Add(CreateCheck());
        return cmd;
    }

    static (Option<string?> KnownHosts, Option<string[]> Identity, Option<string?> SshConfig) SshOptionSet() =>
    (
        new Option<string?>("--known-hosts") { Description = "known_hosts file (default ~/.ssh/known_hosts, or $VZ_KNOWN_HOSTS)" },
        new Option<string[]>("--identity") { Description = "private key file (repeatable; default from ~/.ssh/config, then id_ed25519, id_ecdsa, id_rsa)" },
        new Option<string?>("--ssh-config") { Description = "ssh config file (default ~/.ssh/config, or $VZ_SSH_CONFIG)" }
    );

    static SshOptions Ssh(ParseResult parse, (Option<string?> KnownHosts, Option<string[]> Identity, Option<string?> SshConfig) o, bool stdinIsPassword)
    {
        var defaults = new SshOptions();
        return defaults with
        {
            KnownHostsFile = parse.GetValue(o.KnownHosts) ?? defaults.KnownHostsFile,
            IdentityFiles = parse.GetValue(o.Identity) is { Length: > 0 } ids ? ids : defaults.IdentityFiles,
            ConfigFile = parse.GetValue(o.SshConfig) ?? defaults.ConfigFile,
            PassphrasePrompt = stdinIsPassword || !Terminal.CanAsk ? null : path => Terminal.ReadSecret($"Enter passphrase for key '{path}': "),
        };
    }

    static Command CreateAdd()
    {
        var host = new Argument<string>("host") { Description = "the new node's address (IP or name), as the provider's email gives it" };
        var group = new Option<string>("--group", "-g") { Description = "inventory group the node joins", DefaultValueFactory = _ => "nodes" };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory to add the node to (made when missing; comments and order kept)" };
        var user = new Option<string?>("--user") { Description = "deploy user to create (default: your own user name; required when you run vzbuild as root)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "read root's password from the first line of stdin (else it is asked on the terminal, without echo)" };
        var acceptNew = new Option<bool>("--accept-new") { Description = "trust the node's host key without asking (it is still shown and recorded hashed)" };
        var securityUpdates = new Option<bool>("--security-updates") { Description = "apply the distribution's security updates (dnf --security; Debian/Ubuntu's security pocket)" };
        var port = new Option<int>("--port", "-p") { Description = "ssh port of the node", DefaultValueFactory = _ => 22 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
                r.AddError($"--port must be from 1 to 65535, got {r.GetValueOrDefault<int>()}");
        });
        var vzpatch = new Option<string?>("--vzpatch") { Description = "vzpatch copied to nodes whose distribution has no xdelta3 (Rocky/Alma/RHEL 8; default $VZ_VZPATCH, else the one beside vzbuild)" };
        var ssh = SshOptionSet();

        var cmd = new Command("add", "Turn a VPS reachable by root password (or root key) into a vz node: deploy user, key, sudo, podman, xdelta3; then password logins off.");
        cmd.Arguments.Add(host);
        foreach (var o in new Option[] { group, inventory, user, passwordStdin, acceptNew, securityUpdates, port, vzpatch, ssh.KnownHosts, ssh.Identity, ssh.SshConfig })
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
                Ssh(parse, ssh, parse.GetValue(passwordStdin)));
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

    static Command CreateCheck()
    {
        var hosts = new Argument<string[]>("host") { Description = "nodes to check: inventory host names or [user@]host[:port] (default: the inventory's --group, or all)", Arity = ArgumentArity.ZeroOrMore };
        var inventory = new Option<string?>("--inventory", "-i") { Description = "Ansible INI inventory (ansible_user is the user checked)" };
        var group = new Option<string?>("--group", "-g") { Description = "inventory group to check (default: all)" };
        var json = new Option<bool>("--json") { Description = "print the result as JSON on stdout" };
        var parallel = new Option<int>("--parallel") { Description = "nodes checked at once", DefaultValueFactory = _ => 4 };
        var ssh = SshOptionSet();
        var cmd = new Command("check", "Check that nodes are ready for vz: key login, sudo, podman (and Quadlet), a test container, xdelta3 or vzpatch, cgroups, firewall, memory, disk, and nothing of vz's left running.");
        cmd.Arguments.Add(hosts);
        foreach (var o in new Option[] { inventory, group, json, parallel, ssh.KnownHosts, ssh.Identity, ssh.SshConfig })
            cmd.Options.Add(o);
        CommandAction.Set(cmd, async (parse, ct) => await CheckAsync(new CheckCommandOptions(
            parse.GetValue(hosts) ?? [], parse.GetValue(inventory), parse.GetValue(group), parse.GetValue(json),
            Math.Max(1, parse.GetValue(parallel)), Ssh(parse, ssh, stdinIsPassword: false)), CommandAction.Reporter, ct));
        return cmd;
    }

    internal static async Task<int> CheckAsync(CheckCommandOptions o, IReporter reporter, CancellationToken ct, INodeConnector? connector = null)
    {
        var targets = Targets(o);
        var result = await new NodeChecker(connector ?? new SshConnector(o.Ssh), reporter, new FleetOptions { Parallel = o.Parallel, Retries = 1 })
            .CheckAsync(targets, ct);
        if (o.Json)
            Console.Out.Write(NodeCheckSummary.Json(result) + "\n");
        else
            Console.Error.Write(NodeCheckSummary.Table(result));
        return ExitCodes.ForNodeCheck(result.Nodes.Count(n => n.Value?.Ready == true), result.Nodes.Count(n => n.Value?.Ready != true), result.InternalErrors);
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
