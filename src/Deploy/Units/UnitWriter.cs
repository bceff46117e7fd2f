using System.Text;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Runc;

namespace Vz.Deploy.Units;

/// <summary>
/// The systemd unit of a pod, as text (value in, text out; same inputs give the same bytes).
/// Three kinds, chosen by <see cref="PlatformDecisions.Decide"/>:
/// <list type="bullet">
/// <item>a Quadlet <c>.kube</c> file (podman 4.6+ with Quadlet; 4.9+ when node settings need GlobalArgs=);</item>
/// <item>vz's own service running <c>podman kube play</c> the way Quadlet's generated unit and podman's
/// podman-kube@.service template do (Type=notify with a service container, kube down on stop);</item>
/// <item>vz's own service running <c>runc run</c> in the foreground (issue 13).</item>
/// </list>
/// Every kind reads the manifest (or bundle) through the pod's <c>current</c> link, so a switch or
/// a rollback is a rename plus a restart, and the unit's bytes only change when its settings do.
/// Each runs the pod's restore script in "boot" mode first (ExecStartPre, failure ignored): a node
/// that rebooted between switch and confirm goes back to the previous version before starting.
/// </summary>
public static class UnitWriter
{
    /// <summary>How long systemd waits for the pod to report ready; the dead-man delay allows for it.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long systemd gives the old version to stop (vz's own units; Quadlet's take systemd's default, 90 s).</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The unit of a pod; a runc pod's needs its manifest (its container's name, restart policy and hostPath volumes).</summary>
    public static string Write(string pod, PlatformPlan plan, NodeLayout layout, PodManifest? manifest = null) => plan.Unit switch
    {
        UnitKind.QuadletKube => QuadletKube(pod, plan, layout),
        UnitKind.PodmanKubeService => PodmanKubeService(pod, plan, layout),
        _ => RuncService(manifest ?? throw new ArgumentException($"the runc unit of pod {pod} needs its manifest", nameof(manifest)), plan, layout),
    };

    static string Header(string pod) => $"# Written by vz for pod {pod}; vz rewrites it on every deploy.\n";

    /// <summary>
    /// Quadlet adds Type=notify, NotifyAccess=all, KillMode=mixed, SyslogIdentifier=%N,
    /// RequiresMountsFor=%t/containers, PODMAN_SYSTEMD_UNIT and its network-online dependencies
    /// (a user's unit: none, [Quadlet] DefaultDependencies=false, podman 5.3+), and runs kube play --replace --service-container=true / kube down (pkg/systemd/quadlet, ConvertKube).
    /// </summary>
    public static string QuadletKube(string pod, PlatformPlan plan, NodeLayout layout)
    {
        var sb = new StringBuilder(Header(pod));
        sb.Append("[Unit]\n").Append($"Description=vz pod {pod}\n").Append(Condition(layout.CurrentManifest(pod))).Append('\n');
        sb.Append("[Kube]\n").Append($"Yaml={Specifiers(layout.CurrentManifest(pod))}\n").Append("LogDriver=journald\n");
        if (plan.PodmanGlobalArgs.Count > 0)
            sb.Append($"GlobalArgs={string.Join(' ', plan.PodmanGlobalArgs.Select(Word))}\n");
        sb.Append('\n');
        // A user's unit: no wait for podman-user-wait-network-online.service (up to 90 s per start
        // where nothing pulls in the system's network-online.target); vz's own user unit has none either.
        if (plan.Rootless)
            sb.Append("[Quadlet]\n").Append("DefaultDependencies=false\n").Append('\n');
        Service(sb, pod, plan, layout, own: false);
        Install(sb, plan);
        return sb.ToString();
    }

    /// <summary>vz's equivalent of the unit Quadlet generates, for podman 4.3 (which has no Quadlet).</summary>
    public static string PodmanKubeService(string pod, PlatformPlan plan, NodeLayout layout)
    {
        var sb = new StringBuilder(Header(pod));
        Unit(sb, pod, plan, "RequiresMountsFor=%t/containers\n" + Condition(layout.CurrentManifest(pod)));
        var podman = new[] { plan.PodmanPath }.Concat(plan.PodmanGlobalArgs).ToList();
        var yaml = layout.CurrentManifest(pod);
        Service(sb, pod, plan, layout, own: true,
            "Environment=PODMAN_SYSTEMD_UNIT=%n\n" +
            "Type=notify\n" +
            "NotifyAccess=all\n" +
            "KillMode=mixed\n" +
            "SyslogIdentifier=%N\n" +
            $"ExecStart={Command(podman.Concat(["kube", "play", "--replace", "--service-container=true", "--log-driver", "journald", yaml]))}\n" +
            // ExecStopPost (as Quadlet does since 5.0) cleans up after a failed start as well as a stop.
            // Never --force: that would remove the pod's volumes.
            $"ExecStopPost={Command(podman.Concat(["kube", "down", yaml]))}\n");
        Install(sb, plan);
        return sb.ToString();
    }

    /// <summary>
    /// A runc pod (issue 13): the container supervised by systemd alone, one container, the node's
    /// network. <c>runc run --detach</c> starts it and exits (nothing of runc stays resident: a
    /// foreground runc costs about 10 MiB per pod, more than podman's conmon and catatonit); the
    /// container's init, named by runc's pid file, is the service's main process (Type=forking), so
    /// its exit is the service's, and Restart= starts it again. The container's cgroup is a child of
    /// the unit's (Delegate=yes; config.json's cgroupsPath, cgroupfs), so systemd stops and kills it
    /// with the unit and journald tags its stdout and stderr (runc's, which it inherits) with the
    /// unit's LogExtraFields: CONTAINER_NAME=POD-CONTAINER, as podman's journald log driver does.
    /// runc's state of a killed or stopped container is deleted before each start and after each stop.
    /// The bundle is the current release directory (its config.json names the image version's rootfs).
    /// </summary>
    public static string RuncService(PodManifest m, PlatformPlan plan, NodeLayout layout)
    {
        var pod = m.Name;
        var sb = new StringBuilder(Header(pod));
        Unit(sb, pod, plan, Condition(layout.CurrentManifest(pod, UnitKind.RuncService)));
        var id = RuncConfig.ContainerId(pod);
        // %t is /run for a system unit: runc's state lives there (RuncScripts.StateRoot), and its pid file beside it.
        var runc = $"{Word(plan.RuncPath)}" + (plan.RuncSystemdCgroup ? " --systemd-cgroup" : "") + " --root %t/vz-runc";
        var pidFile = $"%t/vz-runc/{id}.pid";
        var body = new StringBuilder()
            .Append("Type=forking\n")
            .Append($"PIDFile={pidFile}\n")
            .Append("KillMode=mixed\n")
            .Append("Delegate=yes\n")
            .Append($"SyslogIdentifier={id}\n")
            .Append($"LogExtraFields=CONTAINER_NAME={m.Name}-{m.Containers.Single().Name}\n");
        foreach (var command in RuncScripts.StartPreparations(m))
            body.Append($"ExecStartPre={Command(command)}\n");
        body.Append($"ExecStartPre=-{runc} delete --force {id}\n")
            .Append($"ExecStart={runc} run --detach --pid-file {pidFile} --bundle {Word(layout.CurrentBundle(pod))} {id}\n")
            .Append($"ExecStopPost=-{runc} delete --force {id}\n");
        Service(sb, pod, plan, layout, own: true, body.ToString(), restart: m.RestartPolicy == RestartPolicy.Always ? "always" : "on-failure");
        Install(sb, plan);
        return sb.ToString();
    }

    static void Unit(StringBuilder sb, string pod, PlatformPlan plan, string extra)
    {
        sb.Append("[Unit]\n").Append($"Description=vz pod {pod}\n");
        // network-online.target is a system target; a user's manager cannot wait for it.
        if (!plan.Rootless)
            sb.Append("Wants=network-online.target\n").Append("After=network-online.target\n");
        sb.Append(extra).Append('\n');
    }

    static void Service(StringBuilder sb, string pod, PlatformPlan plan, NodeLayout layout, bool own, string body = "", string restart = "on-failure")
    {
        sb.Append("[Service]\n");
        foreach (var (k, v) in plan.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"Environment={Word($"{k}={v}")}\n");
        sb.Append($"ExecStartPre=-{Command(["/bin/sh", layout.RestoreScript(pod), "boot"])}\n");
        sb.Append(body);
        sb.Append($"Restart={restart}\n").Append("RestartSec=5\n");
        sb.Append($"TimeoutStartSec={(int)StartTimeout.TotalSeconds}\n");
        if (own)
            sb.Append($"TimeoutStopSec={(int)StopTimeout.TotalSeconds}\n");
        sb.Append('\n');
    }

    /// <summary>
    /// No current release, no start: a first release that the boot check removed (or a node wiped
    /// of ~/.vz) leaves the unit skipped instead of failing and restarting every RestartSec.
    /// </summary>
    static string Condition(string path) => $"ConditionPathExists={Specifiers(path)}\n";

    static void Install(StringBuilder sb, PlatformPlan plan) =>
        sb.Append("[Install]\n").Append($"WantedBy={plan.WantedBy}\n");

    static string Command(IEnumerable<string> words) => string.Join(' ', words.Select(Word));

    /// <summary>
    /// One word of a systemd command line (systemd.service "Command lines"): % and $ doubled so
    /// systemd takes them literally, double-quoted when it holds a space, quote or backslash.
    /// Specifiers vz means (%t, %n, %N) are written by vz directly, never through here.
    /// </summary>
    public static string Word(string s)
    {
        var w = Specifiers(s).Replace("$", "$$");
        if (w.Length > 0 && !w.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';'))
            return w;
        return "\"" + w.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    static string Specifiers(string s) => s.Replace("%", "%%");
}
