using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Playbook;

/// <summary>
/// One way a node may run a pod, as far as the files vz writes for it differ: the node settings
/// group (inventory vz_* vars), Quadlet or vz's own unit, root or rootless. The role picks the
/// variant from the facts vz's probe reads on the node; the rest of the facts a file depends on
/// are either separate files (SELinux labels in the manifest, bash or python3 in the health check)
/// or slots (home, podman's path). Every file of a variant is what the renderers write for a node
/// of these facts, because the generator asks <see cref="PlatformDecisions.Decide"/> itself.
/// </summary>
public sealed record RoleVariant(int Settings, UnitKind Unit, bool Rootless)
{
    /// <summary>s0-own-root, s0-quadlet-user, ...: the template directory of the variant.</summary>
    public string Name => $"s{Settings}-{(Unit == UnitKind.QuadletKube ? "quadlet" : "own")}-{(Rootless ? "user" : "root")}";

    /// <summary>Every variant of a settings group, in a fixed order.</summary>
    public static IEnumerable<RoleVariant> Of(int settings) =>
        from unit in new[] { UnitKind.PodmanKubeService, UnitKind.QuadletKube }
        from rootless in new[] { false, true }
        select new RoleVariant(settings, unit, rootless);

    /// <summary>
    /// Facts of a node of this variant with slots for what differs between nodes of it. Decide reads
    /// no other fact for a plan, except what the role checks itself on the node before choosing
    /// (podman's version, runc or crun for vz_runtime, the memory controller, unprivileged ports,
    /// systemd, bash or python3).
    /// </summary>
    public NodeFacts Facts(bool selinux = false, bool bash = true) => new()
    {
        User = Rootless ? "vz" : "root",
        Uid = Rootless ? 1000 : 0,
        Home = Slots.Home.Token,
        Podman = Unit == UnitKind.QuadletKube ? PlatformDecisions.QuadletKubeKeySince.Values.Max() : PlatformDecisions.OldestPodman,
        PodmanPath = Slots.Podman.Token,
        Quadlet = Unit == UnitKind.QuadletKube,
        Runc = true,
        Crun = true,
        Cgroup = CgroupMode.V2,
        Controllers = new HashSet<string>(["cpu", "memory", "pids"]),
        Systemd = 252,
        Linger = true,
        Selinux = selinux ? SelinuxMode.Enforcing : SelinuxMode.Disabled,
        Bash = bash,
        Python3 = true,
        UnprivilegedPortStart = 0,
    };

    /// <summary>The layout of a node of this variant (home as a slot).</summary>
    public static NodeLayout Layout(NodeSettings settings) => new(Slots.Home.Token, settings.Store);

    /// <summary>Decide's plan for the pod on such a node, or why Decide refuses it there.</summary>
    public (PlatformPlan? Plan, string? Refused) Decide(NodeSettings settings, PodEntry pod, PodManifest manifest, bool selinux = false, bool bash = true)
    {
        try
        {
            return (PlatformDecisions.Decide(Facts(selinux, bash), settings, pod, manifest, Node), null);
        }
        catch (VzException e)
        {
            return (null, $"{e.Code}: {e.Message[(Node.Length + 2)..]}" + (e.Hint is null ? "" : $" (hint: {e.Hint})"));
        }
    }

    const string Node = "node";
}

/// <summary>The node settings groups of a fleet: each distinct vz_store/vz_runtime/vz_cgroup_manager/vz_env_* of its hosts.</summary>
public static class SettingsGroups
{
    /// <summary>
    /// The key the role computes from a host's vars (roles/vz_pod/tasks/node.yml builds the same
    /// string): store, runtime, cgroup manager and the env pairs in ordinal order.
    /// </summary>
    public static string Key(NodeSettings s) =>
        $"store={s.Store};runtime={s.Runtime};cgroup={s.CgroupManager};env=" +
        string.Join(";", s.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>The groups in the order their first host comes in the inventory (the default settings first).</summary>
    public static IReadOnlyList<NodeSettings> Of(IEnumerable<NodeSettings> hosts)
    {
        var list = new List<NodeSettings> { new() };
        foreach (var s in hosts)
            if (list.All(x => Key(x) != Key(s)))
                list.Add(s);
        return list;
    }
}
