using System.Diagnostics;
using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Push;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.View;

/// <summary>
/// vzbuild ps, diff and history: read-only, every node at once on the <see cref="FleetRunner"/>,
/// nothing of vz left on a node. A node that cannot be reached is a row that says so, never an
/// abort. Each reads the node with the same scripts deploy uses (the facts probe, the status probe,
/// the firewall listing), so what they show is what deploy decides from.
/// </summary>
public sealed class FleetView(INodeConnector connector, IReporter reporter)
{
    /// <summary>vzbuild ps: per node and pod, state, image and ID, release and when, restarts, memory, uptime, health.</summary>
    public async Task<PsReport> PsAsync(LoadedFleet fleet, FleetOptions options, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var watch = new LinkWatch(connector);
        var work = Work(fleet);
        var result = await new FleetRunner(watch, reporter, options).RunAsync(Targets(fleet), (a, token) => watch.Watch(a.Target.Name, async () =>
        {
            var node = work[a.Target.Name];
            var shell = new NodeShell(a.Node, node.Name);
            var (facts, layout, plans) = await ProbeAsync(shell, fleet, node, token);
            var status = NodeStatus.Parse(node.Name, await shell.CheckedAsync(NodeStatus.Script(layout, Surveys.Queries(fleet, plans), detail: true), "read the pods' state", token));
            reporter.Progress(node.Name, 1, 1, "read");
            return PsSummary.Node(node.Name, node.Pods, facts, status, TimeSpan.Zero);
        }), ct);
        var nodes = result.Nodes.Select(o => o.Ok ? o.Value! with { Elapsed = o.Elapsed } : PsSummary.Failed(o, watch.Lost(o.Node))).ToList();
        return new PsReport(nodes, clock.Elapsed);
    }

    /// <summary>
    /// vzbuild diff: each node's desired state, computed as deploy computes it (the same release,
    /// manifest, unit and image IDs), against what it runs.
    /// </summary>
    public async Task<DiffReport> DiffAsync(LoadedFleet fleet, FleetOptions options, DriftLimits limits, CancellationToken ct = default)
    {
        using var inputs = DeployInputs.Read(fleet, LocalImageCache.DefaultRoot);
        var deployer = new NodeDeployer(fleet, inputs, new DeployOptions(), reporter);
        var watch = new LinkWatch(connector);
        var work = Work(fleet);
        var result = await new FleetRunner(watch, reporter, options).RunAsync(Targets(fleet), (a, token) => watch.Watch(a.Target.Name, async () =>
        {
            var node = work[a.Target.Name];
            var survey = await deployer.SurveyAsync(new NodeShell(a.Node, node.Name), node, token);
            reporter.Progress(node.Name, 1, 1, "read");
            return DriftCheck.Compare(Desired(survey, node), survey.Status with { OpenedPorts = survey.Opened }, limits);
        }), ct);
        var nodes = new List<DiffNode>();
        var findings = new List<DriftFinding>();
        foreach (var o in result.Nodes)
        {
            var lost = watch.Lost(o.Node);
            var found = o.Ok ? o.Value! : [new DriftFinding(o.Node, null, lost ? DriftKind.Unreachable : DriftKind.NodeError, (lost ? "unreachable: " : "not read: ") + o.Error)];
            findings.AddRange(found);
            nodes.Add(new DiffNode(o.Node, DriftCheck.Outcome(found), o.Elapsed)
            {
                Error = o.Ok ? null : o.Error,
                Unreachable = !o.Ok && lost,
                InternalError = o.Status == StepStatus.InternalError,
            });
        }
        return new DiffReport(nodes, findings);
    }

    /// <summary>A node's desired state as diff compares it, from deploy's survey of it.</summary>
    public static DesiredNode Desired(NodeSurvey survey, NodeWork node) =>
        new(node.Name, node.Pods.Select(p => survey.DriftDesired[p]).ToList(), survey.DesiredPorts,
            survey.Plans.Values.Any(p => p.NeedsLinger), survey.ManagesFirewall ? survey.FirewallPlan.Firewall : FirewallBackend.None)
        {
            Placed = node.AllPods.ToHashSet(StringComparer.Ordinal),
        };

    /// <summary>vzbuild history: each node's history.log, of one pod when given.</summary>
    public async Task<HistoryReport> HistoryAsync(LoadedFleet fleet, string? pod, FleetOptions options, CancellationToken ct = default)
    {
        var watch = new LinkWatch(connector);
        var work = Work(fleet);
        var result = await new FleetRunner(watch, reporter, options).RunAsync(Targets(fleet), (a, token) => watch.Watch(a.Target.Name, async () =>
        {
            var node = work[a.Target.Name];
            var shell = new NodeShell(a.Node, node.Name);
            var facts = NodeFacts.Parse(await shell.CheckedAsync(NodeFacts.Probe, "probe the node", token), node.Name);
            var layout = NodeLayout.For(facts, node.Target.Settings);
            var log = await shell.CheckedAsync($"cat {Sh.Quote(layout.History)} 2>/dev/null || true", "read history.log", token);
            var (events, unreadable) = HistorySummary.Parse(log, pod);
            return new HistoryNode(node.Name, TimeSpan.Zero) { Events = events, Unreadable = unreadable };
        }), ct);
        return new HistoryReport(result.Nodes.Select(o => o.Ok ? o.Value! with { Elapsed = o.Elapsed }
            : new HistoryNode(o.Node, o.Elapsed) { Error = o.Error, Unreachable = watch.Lost(o.Node), InternalError = o.Status == StepStatus.InternalError }).ToList());
    }

    /// <summary>The node's facts, where vz keeps its files there, and each pod's plan (a pod the node cannot run fails the node: VZ42xx).</summary>
    internal static async Task<(NodeFacts Facts, NodeLayout Layout, IReadOnlyDictionary<string, PlatformPlan> Plans)> ProbeAsync(
        NodeShell shell, LoadedFleet fleet, NodeWork node, CancellationToken ct)
    {
        var facts = NodeFacts.Parse(await shell.CheckedAsync(NodeFacts.Probe, "probe the node", ct), node.Name);
        return (facts, NodeLayout.For(facts, node.Target.Settings), Surveys.Plans(fleet, node, facts));
    }

    static Dictionary<string, NodeWork> Work(LoadedFleet fleet) => fleet.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

    static IReadOnlyList<NodeTarget> Targets(LoadedFleet fleet) => fleet.Nodes.Select(n => n.Target).ToList();
}
