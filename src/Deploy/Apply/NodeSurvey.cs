using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runc;
using Vz.Deploy.Units;

namespace Vz.Deploy.Apply;

/// <summary>
/// A node as one read of it found it, beside what the fleet file wants there: its facts, the
/// platform plan of each pod, the pods' state, vz's open ports, and each pod's desired release.
/// Read-only: the deploy reads it once for all nodes to plan the rollout, and again under the
/// node's lock before changing anything.
/// </summary>
public sealed record NodeSurvey(
    NodeFacts Facts,
    NodeLayout Layout,
    IReadOnlyDictionary<string, PlatformPlan> Plans,
    ObservedNode Status,
    IReadOnlySet<FirewallPort> Opened,
    IReadOnlySet<FirewallPort> DesiredPorts,
    IReadOnlyDictionary<string, DesiredRelease> Desired)
{
    /// <summary>The node's firewall backend and vz's access to it (the same for every pod: it is the node's).</summary>
    public PlatformPlan FirewallPlan => Plans.Values.First();

    /// <summary>vz manages this node's firewall (it has one, and the login user may change it).</summary>
    public bool ManagesFirewall => FirewallPlan.Firewall != FirewallBackend.None && FirewallPlan.FirewallAccess != FirewallAccess.None;

    public ObservedPod? Observed(string pod) => Status.Pods.FirstOrDefault(p => p.Pod == pod);

    /// <summary>Each pod's desired state as diff compares it (<see cref="NodeRepair.DesiredPods"/>).</summary>
    public IReadOnlyDictionary<string, DesiredPod> DriftDesired { get; init; } = new Dictionary<string, DesiredPod>();

    /// <summary>The pod runs its desired release, confirmed, and diff finds nothing on it that a deploy repairs.</summary>
    public bool Converged(string pod) => RolloutPlan.IsConverged(Desired[pod].Record.Id, Observed(pod)) && NodeRepair.Repairs(this, pod).Count == 0;

    public bool FirewallConverged => !ManagesFirewall || Opened.SetEquals(DesiredPorts);

    /// <summary>
    /// Nothing to do on this node: every pod runs its desired release, vz's ports are the desired
    /// ones, and no other deploy is at work there (its switch may be under way: this deploy waits
    /// for the lock and reads the node again instead of calling it unchanged).
    /// </summary>
    public bool Unchanged => Desired.Keys.All(Converged) && FirewallConverged && Status.LockHolder is null;

    /// <summary>
    /// Pods vz keeps records for on this node (~/.vz/pods/*) that the fleet file no longer places
    /// here (not even outside a --pod filter): what deploy --prune removes.
    /// </summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>Nothing to do here; with prune, also no pod to remove.</summary>
    public bool UnchangedWith(bool prune) => Unchanged && !(prune && Extra.Count > 0);

    /// <summary>What the report says of each extra pod a deploy without --prune leaves running.</summary>
    public IReadOnlyList<string> ExtraNotes => Extra.Select(p =>
        $"{p}: deployed here by vz, and the fleet file no longer places it on this node: vzbuild deploy --prune removes it (its volumes stay)").ToList();

    /// <summary>What Decide said the operator should know, once per line.</summary>
    public IReadOnlyList<string> Notes => Plans.Values.SelectMany(p => p.Notes).Distinct().ToList();
}

/// <summary>The release vz would install for a pod on a node: the files, and the record their digests make.</summary>
public sealed record DesiredRelease(ReleaseRecord Record, string Manifest, string Unit, string Restore);

/// <summary>The pure half of a survey: from what the node printed to the <see cref="NodeSurvey"/>.</summary>
public static class Surveys
{
    /// <summary>Decides each pod's plan on this node (refusing what it cannot run: VZ42xx).</summary>
    public static IReadOnlyDictionary<string, PlatformPlan> Plans(LoadedFleet fleet, NodeWork node, NodeFacts facts) =>
        node.Pods.ToDictionary(p => p, p => PlatformDecisions.Decide(facts, node.Target.Settings, fleet.Entry(p), fleet.Fleet.ManifestOf(p), node.Name), StringComparer.Ordinal);

    public static NodeStatus.PodQuery[] Queries(LoadedFleet fleet, IReadOnlyDictionary<string, PlatformPlan> plans) =>
        plans.Select(kv => new NodeStatus.PodQuery(kv.Key, kv.Value, fleet.Fleet.ManifestOf(kv.Key).Images)).ToArray();

    public static NodeSurvey Make(LoadedFleet fleet, NodeWork node, NodeFacts facts, IReadOnlyDictionary<string, PlatformPlan> plans,
        ObservedNode status, IReadOnlySet<FirewallPort> opened, DeployInputs inputs, string who, DateTimeOffset now)
    {
        var layout = NodeLayout.For(facts, node.Target.Settings);
        var desired = plans.ToDictionary(kv => kv.Key, kv => Release(fleet, kv.Key, kv.Value, layout, status.Salt, inputs, who, now), StringComparer.Ordinal);
        var ports = Firewall.FirewallPlan.Desired(node.AllPods.Select(fleet.Fleet.ManifestOf));
        return new NodeSurvey(facts, layout, plans, status, opened, ports, desired)
        {
            DriftDesired = NodeRepair.DesiredPods(fleet, inputs, plans, desired),
            Extra = status.VzPods.Where(p => !node.AllPods.Contains(p, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>The files and record of a pod's release on this node (same inputs, same ID).</summary>
    public static DesiredRelease Release(LoadedFleet fleet, string pod, PlatformPlan plan, NodeLayout layout, string salt, DeployInputs inputs, string who, DateTimeOffset now)
    {
        var entry = fleet.Entry(pod);
        var m = fleet.Fleet.ManifestOf(pod);
        // A runc release's config.json stands where a podman release's manifest does.
        var manifest = plan.Unit == UnitKind.RuncService
            ? RuncConfig.Text(m, RuncImage.Of(inputs.Archive(entry.Images.Single().Archive)), layout, plan)
            : PodManifestWriter.Render(m, layout, plan);
        var unit = UnitWriter.Write(pod, plan, layout, m);
        var images = entry.Images.Select(i => KeyValuePair.Create(i.Image, inputs.Archive(i.Archive).Sha256));
        var record = DesiredState.For(pod, manifest, unit, images, DesiredState.SecretsDigest(salt, inputs.SecretsOf(pod))) with { Who = who, When = now };
        return new DesiredRelease(record, manifest, unit, PodScripts.RestoreScript(layout, plan, pod, m.SecretNames));
    }
}
