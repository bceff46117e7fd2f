using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Ssh;
using DeployFacts = Vz.Deploy.Platform.NodeFacts;

namespace Vz.Integration.Tests.Playbook;

/// <summary>
/// The fleet as vzbuild deploy sees it, read with deploy's own code: its survey of each node (the
/// probe, the status script, vz's firewall ports) and the release it would install there. From it,
/// vzbuild diff's pure half (DriftCheck.Compare) and the files deploy would have written.
/// </summary>
public sealed class DeployView
{
    public sealed record Node(string Name, NodeSurvey Survey, ObservedNode Observed, DesiredNode Desired);

    public IReadOnlyList<Node> Nodes { get; }

    DeployView(IReadOnlyList<Node> nodes) => Nodes = nodes;

    public static async Task<DeployView> ReadAsync(PlaybookFleet f)
    {
        var fleet = FleetLoader.Load(Path.Combine(f.Fleet.Path, "vz.yaml"), null, null, new SshOptions { ConfigFile = "/dev/null" });
        using var inputs = DeployInputs.Read(fleet, f.Fleet.CacheDir);
        var nodes = new List<Node>();
        foreach (var work in fleet.Nodes)
        {
            var test = f[work.Name];
            var facts = DeployFacts.Parse(await test.SshCheckedAsync(DeployFacts.Probe), work.Name);
            var plans = Surveys.Plans(fleet, work, facts);
            var layout = NodeLayout.For(facts, work.Target.Settings);
            var status = NodeStatus.Parse(work.Name, await test.SshCheckedAsync(NodeStatus.Script(layout, Surveys.Queries(fleet, plans))));
            var fw = plans.Values.First();
            var opened = FirewallPlan.ParseOpened(fw.Firewall, await test.SshCheckedAsync(FirewallPlan.ListScript(fw.Firewall, fw.FirewallAccess)));
            var survey = Surveys.Make(fleet, work, facts, plans, status, opened, inputs, "test@vz", DateTimeOffset.UtcNow);
            var pods = work.Pods.Select(p => survey.DriftDesired[p]).ToList();
            var desired = new DesiredNode(work.Name, pods, survey.DesiredPorts, facts.Rootless, survey.ManagesFirewall ? fw.Firewall : FirewallBackend.None);
            nodes.Add(new Node(work.Name, survey, status with { OpenedPorts = opened }, desired));
        }
        return new DeployView(nodes);
    }

    /// <summary>What vzbuild diff would report as drift (notes left out) on every node.</summary>
    public IReadOnlyList<DriftFinding> Drift => Nodes.SelectMany(n => DriftCheck.Compare(n.Desired, n.Observed)).Where(d => !d.Note).ToList();
}
