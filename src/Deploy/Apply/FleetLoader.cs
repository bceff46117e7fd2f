using Vz.Deploy.Fleet;
using Vz.Deploy.Inventory;
using Vz.Deploy.Pods;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Apply;

/// <summary>One node a command works on: how to reach it, the pods it touches there, and every pod placed there.</summary>
public sealed record NodeWork(NodeTarget Target, IReadOnlyList<string> Pods, IReadOnlyList<string> AllPods)
{
    public string Name => Target.Name;
}

/// <summary>A validated fleet with its nodes resolved: what deploy (and lock release) stand on.</summary>
public sealed record LoadedFleet(DesiredFleet Fleet, AnsibleInventory Inventory, IReadOnlyList<NodeWork> Nodes)
{
    public FleetFile File => Fleet.File;

    public PodEntry Entry(string pod) => File.Pods.First(p => p.Name == pod);
}

/// <summary>
/// Reads vz.yaml, every manifest it names and its inventory, validates them together and places
/// the pods on nodes, all before any node is touched: any problem throws here, naming file, line
/// and field. --group and --pod narrow what the command touches; the placement is checked whole.
/// </summary>
public static class FleetLoader
{
    public const string DefaultFile = "vz.yaml";

    public static LoadedFleet Load(string fleetFile, string? group, string? pod, SshOptions ssh, IFleetSources? sources = null, NodeSettings? defaults = null)
    {
        sources ??= LocalFleetSources.Instance;
        var path = Path.GetFullPath(fleetFile);
        var text = sources.ReadText(path)
            ?? throw new VzException(PodErrors.FileMissing, $"{fleetFile} does not exist",
                fleetFile == DefaultFile ? "run vzbuild in the directory of your fleet file, or name it with -c FILE" : null);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fleet = FleetValidator.Validate(FleetFileReader.Parse(text, path, home), sources);
        var inventory = AnsibleInventory.Parse(new StringReader(sources.ReadText(fleet.File.Inventory) ?? ""), fleet.File.Inventory);

        var all = Placement.Place(fleet, inventory).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var chosen = Placement.Place(fleet, inventory, group, pod);
        var resolver = new TargetResolver(SshConfig.Load(ssh.ConfigFile), ssh, defaults ?? new NodeSettings());
        var nodes = chosen.Select(n => new NodeWork(resolver.FromInventory(n.Host), n.Pods, all[n.Name].Pods)).ToList();
        if (nodes.Count == 0)
            throw new VzException(DeployErrors.NoNodes,
                $"no node runs {(pod is null ? "any pod" : $"pod {pod}")}{(group is null ? "" : $" in group {group}")}",
                "check the pods' groups: in the fleet file against the inventory");
        return new LoadedFleet(fleet, inventory, nodes);
    }
}
