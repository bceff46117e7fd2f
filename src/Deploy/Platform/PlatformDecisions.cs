using Vz.Deploy.Fleet;
using Vz.Deploy.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Platform;

/// <summary>
/// The one place where vz adapts to a node's distribution: a pure function of the facts the
/// probe read, the node's settings (inventory vz_* vars) and the pod. Tested per distribution
/// family (Debian 12 and 13, Rocky 8 and 9) in PlatformDecisionsTests; see the README's table.
/// </summary>
public static class PlatformDecisions
{
    /// <summary>podman 4.3 (Debian 12) is the oldest vz supports: kube play --service-container and kube down.</summary>
    public static readonly Version OldestPodman = new(4, 3);

    /// <summary>
    /// The podman version from which Quadlet accepts each key vz may write: [Kube]'s
    /// (pkg/systemd/quadlet/quadlet.go, supportedKubeKeys at v4.4.0, v4.6.0, v4.9.0), and
    /// [Quadlet]'s DefaultDependencies (supportedQuadletKeys, v5.3.0), which a rootless unit needs.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Version> QuadletKubeKeySince = new Dictionary<string, Version>
    {
        ["Yaml"] = new(4, 4),
        ["LogDriver"] = new(4, 6),
        ["GlobalArgs"] = new(4, 9),
        ["DefaultDependencies"] = new(5, 3),
    };

    public static PlatformPlan Decide(NodeFacts facts, NodeSettings settings, PodEntry pod, PodManifest manifest, string node)
    {
        var refuse = (ErrorCode code, string why, string? hint) => new VzException(code, $"{node}: pod {pod.Name}: {why}", hint);
        var notes = new List<string>();
        if (facts.Systemd is null)
            throw refuse(PodErrors.NodeCannotRun, "the node does not run systemd, which supervises vz's pods", null);

        var kind = pod.Runtime == PodRuntime.Runc ? UnitKind.RuncService : ChooseUnit(facts, settings, notes, refuse);
        if (kind == UnitKind.RuncService && !facts.Runc)
            throw refuse(PodErrors.NodeCannotRun, "runtime: runc, and the node has no runc", "install runc (Debian: apt-get install runc; Rocky: dnf install runc)");
        if (settings.Runtime is "crun" && !facts.Crun || settings.Runtime is "runc" && !facts.Runc)
            throw refuse(PodErrors.NodeCannotRun, $"vz_runtime={settings.Runtime}, and the node has no {settings.Runtime}", null);

        if (facts.Rootless)
            foreach (var p in manifest.Ports.Where(p => p.HostPort < facts.UnprivilegedPortStart))
                throw refuse(PodErrors.NodeCannotRun,
                    $"{facts.User} is not root, and rootless podman cannot publish port {p.HostPort} (below net.ipv4.ip_unprivileged_port_start={facts.UnprivilegedPortStart})",
                    "publish a port of 1024 or more, deploy as root, or lower ip_unprivileged_port_start on the node");

        var enforce = manifest.LimitsMemory;
        if (enforce && MemoryRefusal(facts, settings) is { } why)
            throw refuse(PodErrors.MemoryNotEnforceable, why.Why, why.Hint);

        if (pod.Health.Probe is HttpProbe && !facts.Bash && !facts.Python3)
            throw refuse(PodErrors.NodeCannotRun, "the node has neither bash nor python3 to run the HTTP health check", "install bash, or use health.tcp");

        var firewall = facts.Firewalld ? FirewallBackend.Firewalld : facts.Nft ? FirewallBackend.Nftables : facts.Iptables ? FirewallBackend.Iptables : FirewallBackend.None;
        var access = !facts.Rootless ? FirewallAccess.Root : facts.Sudo ? FirewallAccess.Sudo : FirewallAccess.None;
        if (firewall == FirewallBackend.None)
            notes.Add("the node has no firewall tool (firewalld, nft, iptables): published ports are reachable as podman publishes them");
        else if (access == FirewallAccess.None && manifest.Ports.Any(p => !p.LoopbackOnly))
            notes.Add($"{facts.User} is not root and has no passwordless sudo: vz cannot open or close ports in {Name(firewall)}; open them by hand");
        if (facts.Rootless && !facts.Linger)
            notes.Add($"linger is off for {facts.User}: vz enables it (loginctl enable-linger{(facts.Sudo ? ", through sudo where logind refuses" : "; without sudo, logind must allow it through polkit")}) so the pod starts at boot");

        var unitDir = (kind, facts.Rootless) switch
        {
            (UnitKind.QuadletKube, false) => "/etc/containers/systemd",
            (UnitKind.QuadletKube, true) => $"{facts.Home}/.config/containers/systemd",
            (_, false) => "/etc/systemd/system",
            (_, true) => $"{facts.Home}/.config/systemd/user",
        };
        var service = $"vz-{pod.Name}.service";
        return new PlatformPlan
        {
            Unit = kind,
            Rootless = facts.Rootless,
            UnitDirectory = unitDir,
            UnitFile = kind == UnitKind.QuadletKube ? $"vz-{pod.Name}.kube" : service,
            Service = service,
            WantedBy = facts.Rootless ? "default.target" : "multi-user.target",
            NeedsLinger = facts.Rootless && !facts.Linger,
            Sudo = facts.Rootless && facts.Sudo,
            RelabelVolumes = facts.Selinux == SelinuxMode.Enforcing,
            Firewall = firewall,
            FirewallAccess = access,
            EnforcesMemory = enforce,
            PodmanPath = facts.PodmanPath,
            RuncPath = facts.RuncPath,
            Runtime = settings.Runtime,
            CgroupManager = settings.CgroupManager,
            Env = settings.Env,
            HealthShell = facts.Bash ? "bash" : "python3",
            Notes = notes,
        };
    }

    static UnitKind ChooseUnit(NodeFacts facts, NodeSettings settings, List<string> notes, Func<ErrorCode, string, string?, VzException> refuse)
    {
        if (facts.Podman is not { } v)
            throw refuse(PodErrors.NodeCannotRun, "the node has no podman", facts.Runc ? "this node can run pods with runtime: runc" : "install podman (4.3 or newer)");
        if (v < OldestPodman)
            throw refuse(PodErrors.NodeCannotRun, $"podman {v} is older than {OldestPodman}, the oldest vz supports (kube play --service-container, kube down)", "upgrade podman");
        if (!facts.Quadlet)
        {
            if (v >= new Version(4, 4))
                notes.Add($"podman {v} without its Quadlet generator: vz writes its own unit");
            return UnitKind.PodmanKubeService;
        }
        var needed = new List<string> { "Yaml", "LogDriver" };
        if (settings.Runtime is not null || settings.CgroupManager is not null)
            needed.Add("GlobalArgs");
        // From 5.3 a user's Quadlet unit waits for podman-user-wait-network-online.service, which
        // polls the system's network-online.target for 90 s; nothing pulls that target in on a
        // minimal Debian (seen on trixie nodes: every start and rollback 90 s late).
        // DefaultDependencies=false drops the wait, as vz's own user unit has none (UnitWriter).
        if (facts.Rootless)
            needed.Add("DefaultDependencies");
        var missing = needed.Where(k => v < QuadletKubeKeySince[k]).ToList();
        if (missing.Count == 0)
            return UnitKind.QuadletKube;
        notes.Add($"podman {v}'s Quadlet lacks {string.Join(", ", missing.Select(k => $"{k}= (from {QuadletKubeKeySince[k]})"))}: vz writes its own unit");
        return UnitKind.PodmanKubeService;
    }

    /// <summary>Why this node cannot enforce a memory limit for this user, or null when it can.</summary>
    public static (string Why, string Hint)? MemoryRefusal(NodeFacts facts, NodeSettings settings)
    {
        if (facts.Rootless)
        {
            if (facts.Cgroup != CgroupMode.V2)
                return ($"the pod limits memory, and rootless podman cannot on cgroup {(facts.Cgroup == CgroupMode.V1 ? "v1" : "v1 (hybrid)")}: {facts.User} is not root",
                    "boot the node with cgroup v2 (systemd.unified_cgroup_hierarchy=1), or deploy as root");
            if (settings.CgroupManager == "cgroupfs")
                return ("the pod limits memory, and rootless podman with cgroup_manager cgroupfs cannot", "use the systemd cgroup manager (drop vz_cgroup_manager=cgroupfs)");
            if (!facts.Controllers.Contains("memory"))
                return ($"the pod limits memory, and systemd does not delegate the memory controller to user@{facts.Uid}.service",
                    "add Delegate=memory pids cpu to user@.service (systemctl edit user@.service), or deploy as root");
            return null;
        }
        if (!facts.Controllers.Contains("memory"))
            return ("the pod limits memory, and the node's kernel has no memory cgroup controller enabled", "enable it (cgroup_enable=memory on the kernel command line)");
        return null;
    }

    public static string Name(FirewallBackend f) => f switch
    {
        FirewallBackend.Firewalld => "firewalld",
        FirewallBackend.Nftables => "nftables",
        FirewallBackend.Iptables => "iptables",
        _ => "no firewall",
    };
}
