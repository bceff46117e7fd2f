using Vz.Deploy.Inventory;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Ssh;

/// <summary>
/// Turns what the user typed (--to [user@]host[:port], or inventory hosts) into node targets,
/// applying ~/.ssh/config the way ssh would. An instance is pure: the parsed ssh config, options
/// and node defaults are passed in (<see cref="FromSpec"/>, <see cref="FromInventory"/>). The
/// static <see cref="Resolve"/> is the one part that reads files: the ssh config and the inventory.
/// </summary>
public sealed class TargetResolver(SshConfig config, SshOptions options, NodeSettings defaults)
{
    /// <summary>All targets of a push: the --to hosts, then the inventory group's hosts. Reads options.ConfigFile and the inventory file.</summary>
    public static IReadOnlyList<NodeTarget> Resolve(IReadOnlyList<string> to, string? inventory, string? group,
        SshOptions options, NodeSettings defaults)
    {
        if (inventory is null && group is not null)
            throw new VzException(DeployErrors.BadNodeList, "--group needs an inventory (-i hosts.ini)");
        var resolver = new TargetResolver(SshConfig.Load(options.ConfigFile), options, defaults);
        var targets = to.Select(resolver.FromSpec).ToList();
        if (inventory is not null)
            targets.AddRange(AnsibleInventory.Load(inventory).HostsOf(group ?? "all").Select(resolver.FromInventory));
        var dup = targets.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new VzException(DeployErrors.BadNodeList, $"node {dup.Key} is named twice");
        return targets;
    }

    public NodeTarget FromSpec(string spec)
    {
        var rest = spec;
        string? user = null;
        int? port = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            user = rest[..at];
            rest = rest[(at + 1)..];
        }
        if (rest.StartsWith('['))
        {
            // [host]:port, for IPv6 literals
            var close = rest.IndexOf(']');
            if (close < 0)
                throw new VzException(DeployErrors.BadNodeList, $"--to {spec}: missing ']'");
            if (close + 1 < rest.Length)
                port = ParsePort(rest[(close + 2)..], spec);
            rest = rest[1..close];
        }
        else if (rest.Count(c => c == ':') == 1)
        {
            var colon = rest.IndexOf(':');
            port = ParsePort(rest[(colon + 1)..], spec);
            rest = rest[..colon];
        }
        if (rest.Length == 0)
            throw new VzException(DeployErrors.BadNodeList, $"--to {spec}: no host name");
        return Build(spec, rest, user, port, defaults);
    }

    /// <summary>
    /// ansible_host/ansible_port/ansible_user override ssh config; vz_store, vz_runtime,
    /// vz_cgroup_manager are node settings, and vz_env_NAME=VALUE sets NAME for podman on the node.
    /// </summary>
    public NodeTarget FromInventory(InventoryHost host)
    {
        int? port = host.Get("ansible_port") is { } p ? ParsePort(p, host.Name) : null;
        var env = new Dictionary<string, string>(defaults.Env);
        foreach (var (k, v) in host.Vars.Where(kv => kv.Key.StartsWith("vz_env_") && kv.Key.Length > 7))
            env[k[7..]] = v;
        var settings = defaults with
        {
            Store = host.Get("vz_store") ?? defaults.Store,
            Runtime = host.Get("vz_runtime") ?? defaults.Runtime,
            CgroupManager = host.Get("vz_cgroup_manager") ?? defaults.CgroupManager,
            Env = env,
        };
        return Build(host.Name, host.Get("ansible_host") ?? host.Name, host.Get("ansible_user"), port, settings);
    }

    NodeTarget Build(string name, string alias, string? user, int? port, NodeSettings settings)
    {
        var resolved = config.Resolve(alias);
        IReadOnlyList<string> identities = options.IdentityFiles.Count > 0 ? options.IdentityFiles
            : resolved.IdentityFiles.Count > 0 ? resolved.IdentityFiles
            : SshOptions.DefaultIdentityFiles;
        var login = user ?? resolved.User ?? Environment.UserName;
        // Whatever named it (--to, an inventory line, ansible_host/user, the ssh config), a name with
        // control characters must not reach known_hosts, a command line or the terminal.
        foreach (var (what, value) in new[] { ("name", name), ("host", alias), ("HostName", resolved.HostName), ("user", login) })
            if (NodeNames.Problem(value) is { } why)
                throw new VzException(DeployErrors.BadNodeList, $"node {what} '{value}' {why}");
        return new NodeTarget(name, resolved.HostName, port ?? resolved.Port ?? 22, login, identities) { Settings = settings };
    }

    static int ParsePort(string s, string spec) =>
        int.TryParse(s, out var p) && p is > 0 and < 65536 ? p
            : throw new VzException(DeployErrors.BadNodeList, $"{spec}: '{s}' is not a port number");
}
