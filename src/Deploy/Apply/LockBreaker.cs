using Vz.Deploy.Fleet;
using Vz.Deploy.Inventory;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Apply;

/// <summary>What vzbuild lock release found on the node: the lock it broke (with its holder), or none.</summary>
public sealed record LockReleased(string Node, bool WasHeld, LockOwner? Holder);

/// <summary>
/// vzbuild lock release HOST: breaks a node's deploy lock that a deploy left behind (its link
/// broke, or it was killed), saying whose it was. Reads only the fleet file and its inventory, so
/// a broken manifest or a missing archive does not stand in the way.
/// </summary>
public static class LockBreaker
{
    public static NodeTarget Target(string fleetFile, string host, SshOptions ssh)
    {
        var path = Path.GetFullPath(fleetFile);
        if (!File.Exists(path))
            throw new VzException(PodErrors.FileMissing, $"{fleetFile} does not exist", "name the fleet file with -c FILE");
        var file = FleetFileReader.Parse(File.ReadAllText(path), path, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        var inventory = AnsibleInventory.Load(file.Inventory);
        var hosts = inventory.HostsOf("all");
        var found = hosts.FirstOrDefault(h => h.Name == host)
            ?? throw new VzException(PodErrors.NotInFleet, $"{Path.GetFileName(file.Inventory)} has no host '{host}'",
                $"hosts: {string.Join(", ", hosts.Select(h => h.Name))}");
        return new TargetResolver(SshConfig.Load(ssh.ConfigFile), ssh, new NodeSettings()).FromInventory(found);
    }

    /// <summary>Connects (one attempt: the operator is there to run it again) and breaks the lock; errors keep their own codes.</summary>
    public static async Task<LockReleased> ReleaseAsync(INodeConnector connector, NodeTarget target, CancellationToken ct)
    {
        await using var node = await connector.ConnectAsync(target, ct);
        var shell = new NodeShell(node, target.Name);
        var facts = NodeFacts.Parse(await shell.CheckedAsync(NodeFacts.Probe, "probe the node", ct), target.Name);
        var output = await shell.CheckedAsync(PodScripts.LockBreak(NodeLayout.For(facts, target.Settings)), "break the deploy lock", ct);
        var lines = output.TrimEnd('\n').Split('\n');
        var held = lines.LastOrDefault() == "broken";
        return new LockReleased(target.Name, held, held ? LockOwner.Parse(string.Join('\n', lines[..^1])) : null);
    }
}
