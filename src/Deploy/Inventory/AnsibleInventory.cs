using Vz.Deploy.Ssh;

namespace Vz.Deploy.Inventory;

/// <summary>One host from an inventory with its merged variables (host vars over group vars).</summary>
public sealed record InventoryHost(string Name, IReadOnlyDictionary<string, string> Vars)
{
    public string? Get(string key) => Vars.TryGetValue(key, out var v) ? v : null;
}

/// <summary>
/// Ansible INI inventory (docs.ansible.com "How to build your inventory"): [group] sections of
/// "host key=value ..." lines, [group:children] listing subgroups, [group:vars] key=value lines.
/// Hosts before any section belong to "ungrouped"; every host is in "all". A host pattern with
/// ranges (<c>web[01:03]</c>) names each host it expands to (<see cref="HostRange"/>); a host name with
/// control characters is refused.
/// </summary>
public sealed class AnsibleInventory
{
    readonly Dictionary<string, List<string>> groupHosts;
    readonly Dictionary<string, List<string>> children;
    readonly Dictionary<string, Dictionary<string, string>> groupVars;
    readonly Dictionary<string, Dictionary<string, string>> hostVars;
    readonly List<string> hostOrder;
    readonly string source;

    AnsibleInventory(string source)
    {
        this.source = source;
        groupHosts = new(StringComparer.Ordinal);
        children = new(StringComparer.Ordinal);
        groupVars = new(StringComparer.Ordinal);
        hostVars = new(StringComparer.Ordinal);
        hostOrder = [];
    }

    /// <summary>The largest inventory file vz reads.</summary>
    public const long MaxBytes = 16 << 20;

    public static AnsibleInventory Load(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new VzException(DeployErrors.BadInventory, $"inventory {path} does not exist");
        return Parse(new StringReader(InputFile.ReadAllText(path, MaxBytes, DeployErrors.BadInventory, "inventory")), path);
    }

    public static AnsibleInventory Parse(TextReader reader, string source = "inventory")
    {
        var inv = new AnsibleInventory(source);
        var section = "ungrouped";
        var kind = "hosts";
        foreach (var (n, line) in ConfigLines.Read(reader, n => new VzException(DeployErrors.BadInventory, ConfigLines.TooLong(source, n)), "#;"))
        {
            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']'))
                    throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: section header '{line}' has no closing ']'");
                var name = line[1..^1].Trim();
                var colon = name.IndexOf(':');
                (section, kind) = colon < 0 ? (name, "hosts") : (name[..colon], name[(colon + 1)..]);
                if (kind is not ("hosts" or "children" or "vars"))
                    throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: unknown section kind ':{kind}' (expected :children or :vars)");
                if (section.Length == 0)
                    throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: empty group name");
                inv.groupHosts.TryAdd(section, []);
                continue;
            }
            switch (kind)
            {
                case "hosts":
                    var words = SplitWords(line, source, n);
                    if (words.Count == 0)
                        throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: expected a host name");
                    if (words[0].Contains('='))
                        throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: line starts with '{words[0]}', expected a host name");
                    if (NodeNames.Problem(words[0]) is { } bad)
                        throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: host name '{words[0]}' {bad}");
                    var lineVars = words.Skip(1).Select(w => KeyValue(w, source, n)).ToList();
                    var (pattern, port) = SplitPort(words[0]);
                    if (port is not null && lineVars.All(kv => kv.Item1 != "ansible_port"))
                        lineVars.Insert(0, ("ansible_port", port));
                    foreach (var host in HostRange.Expand(pattern, why => new VzException(DeployErrors.BadInventory, $"{source}:{n}: {why}")))
                    {
                        if (!inv.hostVars.TryGetValue(host, out var vars))
                        {
                            inv.hostVars[host] = vars = new(StringComparer.Ordinal);
                            inv.hostOrder.Add(host);
                        }
                        foreach (var (k, v) in lineVars)
                            vars[k] = v;
                        inv.groupHosts.TryAdd(section, []);
                        inv.groupHosts[section].Add(host);
                    }
                    break;
                case "children":
                    inv.children.TryAdd(section, []);
                    inv.children[section].Add(line.Split([' ', '\t'], 2)[0]);
                    break;
                case "vars":
                    var (key, value) = KeyValue(line, source, n);
                    inv.groupVars.TryAdd(section, new(StringComparer.Ordinal));
                    inv.groupVars[section][key] = value;
                    break;
            }
        }
        return inv;
    }

    public IReadOnlyList<string> Groups => groupHosts.Keys.Append("all").Distinct().ToList();

    /// <summary>The hosts of a group and its children, in file order, with merged vars.</summary>
    public IReadOnlyList<InventoryHost> HostsOf(string group)
    {
        if (group != "all" && !groupHosts.ContainsKey(group) && !children.ContainsKey(group))
            throw new VzException(DeployErrors.UnknownGroup, $"{source}: no group '{group}'",
                $"groups: {string.Join(", ", Groups)}");
        var members = group == "all" ? hostOrder.ToHashSet() : Members(group, []);
        return hostOrder.Where(members.Contains).Select(h => new InventoryHost(h, VarsOf(h))).ToList();
    }

    HashSet<string> Members(string group, HashSet<string> seen)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!seen.Add(group))
            return set; // a cycle in :children; Ansible refuses it too, vz just stops walking
        if (groupHosts.TryGetValue(group, out var hosts))
            set.UnionWith(hosts);
        if (children.TryGetValue(group, out var kids))
            foreach (var kid in kids)
                set.UnionWith(Members(kid, seen));
        return set;
    }

    IReadOnlyDictionary<string, string> VarsOf(string host)
    {
        // Precedence, low to high: all's vars, the vars of each group holding the host (parents
        // before children), then the host's own line.
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        void Apply(string g)
        {
            if (groupVars.TryGetValue(g, out var gv))
                foreach (var (k, v) in gv)
                    merged[k] = v;
        }
        Apply("all");
        foreach (var g in GroupsOf(host))
            Apply(g);
        foreach (var (k, v) in hostVars[host])
            merged[k] = v;
        return merged;
    }

    IEnumerable<string> GroupsOf(string host)
    {
        // Parents first: a group ranks by how deep it sits under the :children tree.
        int Depth(string g, int guard) =>
            guard > 32 ? 0 : children.Where(c => c.Value.Contains(g)).Select(c => Depth(c.Key, guard + 1) + 1).DefaultIfEmpty(0).Max();
        return groupHosts.Keys.Concat(children.Keys).Distinct()
            .Where(g => g != "all" && Members(g, []).Contains(host))
            .OrderBy(g => Depth(g, 0)).ThenBy(g => g, StringComparer.Ordinal);
    }

    /// <summary>
    /// "host:2222" (or "web[01:03]:2222") is a host pattern and its port, as Ansible's
    /// parse_address reads an INI host; a colon inside the range brackets, or several outside them
    /// (an IPv6 address), is not a port.
    /// </summary>
    static (string Pattern, string? Port) SplitPort(string word)
    {
        var outside = word.LastIndexOf(']') + 1;
        var colon = word.IndexOf(':', outside);
        if (colon < 0 || word.IndexOf(':', colon + 1) >= 0)
            return (word, null);
        var port = word[(colon + 1)..];
        return port.Length > 0 && port.All(char.IsAsciiDigit) ? (word[..colon], port) : (word, null);
    }

    static List<string> SplitWords(string line, string source, int n)
    {
        // Values may be quoted: host ansible_ssh_common_args="-o X=Y".
        var words = new List<string>();
        var cur = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is null && c is ' ' or '\t')
            {
                if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); }
            }
            else if (quote is null && c is '"' or '\'')
                quote = c;
            else if (quote == c)
                quote = null;
            else
                cur.Append(c);
        }
        if (quote is not null)
            throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: unterminated quote");
        if (cur.Length > 0)
            words.Add(cur.ToString());
        return words;
    }

    static (string, string) KeyValue(string word, string source, int n)
    {
        var i = word.IndexOf('=');
        if (i <= 0)
            throw new VzException(DeployErrors.BadInventory, $"{source}:{n}: '{word}' is not key=value");
        return (word[..i].Trim(), word[(i + 1)..].Trim().Trim('"', '\''));
    }
}
