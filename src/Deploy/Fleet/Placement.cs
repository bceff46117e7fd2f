using Vz.Deploy.Inventory;
using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Fleet;

/// <summary>One node and the pods the fleet file places on it, in fleet file order.</summary>
public sealed record NodePods(InventoryHost Host, IReadOnlyList<string> Pods)
{
    public string Name => Host.Name;
}

/// <summary>
/// Which pods run where: each pod on every host of its groups (a group's children included, as
/// Ansible does). Nodes keep the inventory's order, which is also the rollout's order. The whole
/// fleet is checked (two pods on one node must not publish one host port) before --group and
/// --pod narrow what a command touches.
/// </summary>
public static class Placement
{
    public static IReadOnlyList<NodePods> Place(DesiredFleet fleet, AnsibleInventory inventory, string? group = null, string? pod = null)
    {
        var fleetName = Path.GetFileName(fleet.File.Path);
        var problems = new Problems(fleetName);
        var podsOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (entry, i) in fleet.File.Pods.Select((p, i) => (p, i)))
            foreach (var g in entry.Groups)
            {
                IReadOnlyList<InventoryHost> hosts;
                try
                {
                    hosts = inventory.HostsOf(g);
                }
                catch (VzException e) when (e.Code == "VZ3004")
                {
                    problems.Add(PodErrors.FleetBadValue, entry.GroupsLine, $"pods[{i}].groups", $"the inventory has no group '{g}' ({e.Hint})");
                    continue;
                }
                foreach (var h in hosts)
                {
                    if (!podsOf.TryGetValue(h.Name, out var list))
                        podsOf[h.Name] = list = [];
                    if (!list.Contains(entry.Name))
                        list.Add(entry.Name);
                }
            }

        var all = inventory.HostsOf("all");
        CheckPorts(fleet, all.Where(h => podsOf.ContainsKey(h.Name)).Select(h => (h.Name, podsOf[h.Name])), problems);
        if (pod is not null && fleet.File.Pods.All(p => p.Name != pod))
            throw new VzException(PodErrors.FleetBadValue, $"{fleetName}: no pod '{pod}'", $"pods: {string.Join(", ", fleet.File.Pods.Select(p => p.Name))}");
        problems.ThrowIfAny();

        var inGroup = group is null ? null : inventory.HostsOf(group).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        return all
            .Where(h => podsOf.ContainsKey(h.Name) && (inGroup is null || inGroup.Contains(h.Name)))
            .Select(h => new NodePods(h, fleet.File.Pods.Select(p => p.Name)
                .Where(p => podsOf[h.Name].Contains(p) && (pod is null || p == pod)).ToList()))
            .Where(n => n.Pods.Count > 0)
            .ToList();
    }

    /// <summary>One problem per pair of pods and host port, naming every node where both land.</summary>
    static void CheckPorts(DesiredFleet fleet, IEnumerable<(string Node, List<string> Pods)> nodes, Problems problems)
    {
        var clashes = new List<(string Pods, string Port, int Line, string Path, string Node)>();
        foreach (var (node, pods) in nodes)
        {
            var ports = pods.SelectMany(p => fleet.ManifestOf(p).Ports.Select(port => (pod: p, port)));
            foreach (var g in ports.GroupBy(x => (x.port.HostPort, x.port.ProtocolName)).Where(g => g.Select(x => x.pod).Distinct().Count() > 1))
            {
                var owners = g.Select(x => x.pod).Distinct().ToList();
                var index = fleet.File.Pods.Select((p, i) => (p, i)).First(x => x.p.Name == owners[1]);
                clashes.Add((string.Join(" and ", owners), $"{g.Key.HostPort}/{g.Key.ProtocolName}", index.p.Line, $"pods[{index.i}]", node));
            }
        }
        foreach (var g in clashes.GroupBy(c => (c.Pods, c.Port, c.Line, c.Path)))
            problems.Add(PodErrors.PlacementConflict, g.Key.Line, g.Key.Path,
                $"pods {g.Key.Pods} both publish host port {g.Key.Port} on {string.Join(", ", g.Select(c => c.Node))}");
    }
}
