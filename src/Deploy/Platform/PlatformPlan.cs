namespace Vz.Deploy.Platform;

/// <summary>How a pod is installed as a systemd unit on a node.</summary>
public enum UnitKind
{
    /// <summary>A Quadlet <c>.kube</c> file; podman's generator turns it into vz-POD.service at daemon-reload.</summary>
    QuadletKube,
    /// <summary>vz's own vz-POD.service running <c>podman kube play</c> (podman 4.3, or a Quadlet too old for the keys vz needs).</summary>
    PodmanKubeService,
    /// <summary>vz's own vz-POD.service running <c>runc run</c> on a bundle (issue 13).</summary>
    RuncService,
}

public enum FirewallBackend { None, Firewalld, Nftables, Iptables }

/// <summary>Whether vz's firewall commands run as the login user (root), through sudo -n, or not at all.</summary>
public enum FirewallAccess { Root, Sudo, None }

/// <summary>
/// Every platform-specific choice for one pod on one node, made in one place
/// (<see cref="PlatformDecisions.Decide"/>) from the node's facts: the unit and where it lives,
/// systemctl's scope, SELinux labels, the firewall, memory enforcement, podman's runtime flags.
/// Generators (units, scripts, the playbook) read this and decide nothing themselves.
/// </summary>
public sealed record PlatformPlan
{
    public required UnitKind Unit { get; init; }
    public required bool Rootless { get; init; }
    /// <summary>Where the unit file goes: /etc/containers/systemd, /etc/systemd/system, or the user's ~/.config equivalents.</summary>
    public required string UnitDirectory { get; init; }
    /// <summary>vz-POD.kube or vz-POD.service.</summary>
    public required string UnitFile { get; init; }
    /// <summary>vz-POD.service, whichever kind wrote it.</summary>
    public required string Service { get; init; }
    /// <summary>multi-user.target (system) or default.target (a user's manager).</summary>
    public required string WantedBy { get; init; }
    /// <summary>Rootless pods need linger so the user's manager starts at boot; the deploy enables it.</summary>
    public bool NeedsLinger { get; init; }
    /// <summary>A rootless user with passwordless sudo: linger is enabled through it where logind refuses the user (no polkit).</summary>
    public bool Sudo { get; init; }
    /// <summary>SELinux enforces: bind mounts get :Z (one container) or :z (shared by several).</summary>
    public bool RelabelVolumes { get; init; }
    public required FirewallBackend Firewall { get; init; }
    public FirewallAccess FirewallAccess { get; init; }
    /// <summary>The pod limits memory and the node enforces it (false when the pod sets no limit).</summary>
    public bool EnforcesMemory { get; init; }
    public required string PodmanPath { get; init; }
    public string RuncPath { get; init; } = "/usr/bin/runc";
    /// <summary>podman --runtime (node setting vz_runtime), null for the node's default.</summary>
    public string? Runtime { get; init; }
    /// <summary>podman --cgroup-manager (node setting vz_cgroup_manager), null for the node's default.</summary>
    public string? CgroupManager { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>The node-side health check runs with bash's /dev/tcp, else python3.</summary>
    public string HealthShell { get; init; } = "bash";
    /// <summary>What the operator should know (why vz wrote its own unit, linger to enable, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>"systemctl" or "systemctl --user".</summary>
    public string Systemctl => Rootless ? "systemctl --user" : "systemctl";

    public string SystemdRun => Rootless ? "systemd-run --user" : "systemd-run";

    /// <summary>The unit file's full path on the node.</summary>
    public string UnitPath => $"{UnitDirectory}/{UnitFile}";

    /// <summary>podman's global flags for this node, in a fixed order.</summary>
    public IReadOnlyList<string> PodmanGlobalArgs =>
        (Runtime is null ? Array.Empty<string>() : ["--runtime", Runtime])
            .Concat(CgroupManager is null ? [] : ["--cgroup-manager", CgroupManager]).ToList();
}
