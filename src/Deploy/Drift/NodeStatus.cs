using System.Globalization;
using System.Text;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Drift;

/// <summary>A container as podman inspect reports it.</summary>
public sealed record ObservedContainer(string Name, string State, int Restarts, string ImageId)
{
    // Read only by the detailed probe (ps): NodeStatus.Script(..., detail: true).
    /// <summary>The image name the container was created from (localhost/web:1), or "" when not read.</summary>
    public string Image { get; init; } = "";
    /// <summary>When the container last started (node clock), or null when not read or never started.</summary>
    public DateTimeOffset? Started { get; init; }
    /// <summary>The container's memory limit in bytes (0: none).</summary>
    public long MemoryLimit { get; init; }
    /// <summary>The memory its cgroup uses now, in bytes, or null when not read (stopped, or no cgroup file).</summary>
    public long? MemoryUsage { get; init; }
    /// <summary>podman's health check status (healthy, unhealthy, starting), or "" when the container has none.</summary>
    public string Health { get; init; } = "";
}

/// <summary>What a node says about one pod vz placed there.</summary>
public sealed record ObservedPod
{
    public required string Pod { get; init; }
    /// <summary>The release the current link names, or null when there is none.</summary>
    public string? Current { get; init; }
    public string? Previous { get; init; }
    public bool Pending { get; init; }
    /// <summary>systemctl is-active of vz-POD.service (active, inactive, failed, activating, ...).</summary>
    public string Active { get; init; } = "";
    /// <summary>systemctl is-enabled (enabled for vz's own units, generated for Quadlet's).</summary>
    public string Enabled { get; init; } = "";
    /// <summary>systemd's NRestarts of the service (the restarts of a runc pod).</summary>
    public int ServiceRestarts { get; init; }
    public string? UnitSha { get; init; }
    public string? ManifestSha { get; init; }
    public bool DeadmanArmed { get; init; }
    /// <summary>When and by whom the current release was deployed (its record), read by the detailed probe only.</summary>
    public DateTimeOffset? Deployed { get; init; }
    public string DeployedBy { get; init; } = "";
    public IReadOnlyList<ObservedContainer> Containers { get; init; } = [];
    /// <summary>Image name to the ID podman has for it now.</summary>
    public IReadOnlyDictionary<string, string> ImageIds { get; init; } = new Dictionary<string, string>();
}

/// <summary>A node as one status probe read it (firewall ports are read separately, with FirewallPlan.ListScript).</summary>
public sealed record ObservedNode
{
    public required string Node { get; init; }
    /// <summary>Why the node could not be read, or null.</summary>
    public string? Unreachable { get; init; }
    public IReadOnlyList<ObservedPod> Pods { get; init; } = [];
    /// <summary>Every podman pod on the node (as this user), by name.</summary>
    public IReadOnlyList<string> PodmanPods { get; init; } = [];
    /// <summary>Pods vz keeps records for (~/.vz/pods/*).</summary>
    public IReadOnlyList<string> VzPods { get; init; } = [];
    public bool Linger { get; init; }
    public long MemAvailable { get; init; }
    public long DiskFree { get; init; }
    /// <summary>The node's secrets salt (empty before its first deploy): deploy needs it for the desired release IDs.</summary>
    public string Salt { get; init; } = "";
    /// <summary>The deploy lock's owner file ("who since when (what)"), when a deploy holds the node's lock; null when none does.</summary>
    public string? LockHolder { get; init; }
    public IReadOnlySet<FirewallPort> OpenedPorts { get; init; } = new SortedSet<FirewallPort>();
    /// <summary>The node's clock when it was read (detailed probe only): uptimes are measured against it, not the master's.</summary>
    public DateTimeOffset? Now { get; init; }
    /// <summary>Each podman pod's status as podman pod ps says it (Running, Exited, Degraded), detailed probe only.</summary>
    public IReadOnlyDictionary<string, string> PodmanPodStatus { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The read-only probe behind ps, diff and deploy's "unchanged" check: one script prints the
/// node's state for the given pods as key=value lines (no set -e: a missing piece is a value,
/// not a failure), and <see cref="Parse"/> reads it back. With detail (ps) it also reads each
/// container's image, start time, memory limit and use (from its cgroup: podman stats prints
/// rounded human units), health, and each release's record time; deploy does without.
/// </summary>
public static class NodeStatus
{
    /// <summary>What the probe needs to know of each pod: its plan (service, unit path) and its images.</summary>
    public sealed record PodQuery(string Pod, PlatformPlan Plan, IReadOnlyList<string> Images);

    static string Q(string s) => Sh.Quote(s);

    public static string Script(NodeLayout layout, IReadOnlyList<PodQuery> pods) => Script(layout, pods, detail: false);

    public static string Script(NodeLayout layout, IReadOnlyList<PodQuery> pods, bool detail)
    {
        var plan = pods.FirstOrDefault()?.Plan;
        var sb = new StringBuilder();
        if (plan is not null)
        {
            foreach (var (k, v) in plan.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sb.Append($"export {k}={Q(v)}\n");
            if (plan.Rootless)
                sb.Append("XDG_RUNTIME_DIR=\"${XDG_RUNTIME_DIR:-/run/user/$(id -u)}\"; export XDG_RUNTIME_DIR\n");
        }
        var podman = plan is null ? "podman" : string.Join(' ', new[] { plan.PodmanPath }.Concat(plan.PodmanGlobalArgs).Select(Q));
        sb.Append("if [ -f \"/var/lib/systemd/linger/$(id -un)\" ]; then echo linger=1; fi\n");
        sb.Append($"echo \"salt=$(cat {Q(layout.SecretSalt)} 2>/dev/null)\"\n");
        // A deploy at work here: its owner file, one line (another deploy must not take the node for converged meanwhile).
        sb.Append($"if [ -d {Q(layout.Lock)} ]; then echo \"lock=$(tr '\\n' '\\t' < {Q(layout.LockOwner)} 2>/dev/null)\"; fi\n");
        sb.Append("awk '/^MemAvailable:/ {print \"mem_available_kb=\" $2}' /proc/meminfo\n");
        sb.Append("df -Pk \"$HOME\" | awk 'NR==2 {print \"disk_free_kb=\" $4}'\n");
        sb.Append($"if command -v podman >/dev/null; then for p in $({podman} pod ps --format '{{{{.Name}}}}' 2>/dev/null); do echo \"podman_pod=$p\"; done; fi\n");
        sb.Append($"for d in {Q(layout.Pods)}/*/; do if [ -d \"$d\" ]; then d=${{d%/}}; echo \"vz_pod=${{d##*/}}\"; fi; done\n");
        if (detail)
        {
            sb.Append("echo \"now=$(date +%s)\"\n");
            sb.Append($"if command -v podman >/dev/null; then {podman} pod ps --format 'podman_pod_status={{{{.Name}}}} {{{{.Status}}}}' 2>/dev/null; fi\n");
        }
        foreach (var q in pods)
        {
            var p = q.Plan;
            sb.Append($"echo pod={Q(q.Pod)}\n");
            sb.Append($"echo \"current=$(readlink {Q(layout.Current(q.Pod))} 2>/dev/null | sed 's#^releases/##')\"\n");
            sb.Append($"echo \"previous=$(readlink {Q(layout.Previous(q.Pod))} 2>/dev/null | sed 's#^releases/##')\"\n");
            sb.Append($"if [ -f {Q(layout.Pending(q.Pod))} ]; then echo pending=1; fi\n");
            sb.Append($"echo \"active=$({p.Systemctl} is-active {Q(p.Service)} 2>/dev/null)\"\n");
            sb.Append($"echo \"enabled=$({p.Systemctl} is-enabled {Q(p.Service)} 2>/dev/null)\"\n");
            sb.Append($"echo \"restarts=$({p.Systemctl} show -p NRestarts --value {Q(p.Service)} 2>/dev/null)\"\n");
            sb.Append($"if [ -f {Q(p.UnitPath)} ]; then echo \"unit_sha=$(sha256sum < {Q(p.UnitPath)} | cut -d' ' -f1)\"; fi\n");
            var manifest = layout.CurrentManifest(q.Pod, p.Unit);
            sb.Append($"if [ -f {Q(manifest)} ]; then echo \"manifest_sha=$(sha256sum < {Q(manifest)} | cut -d' ' -f1)\"; fi\n");
            sb.Append($"if [ \"$({p.Systemctl} is-active {Q(NodeLayout.DeadmanUnit(q.Pod) + ".timer")} 2>/dev/null)\" = active ]; then echo deadman=1; fi\n");
            if (detail)
                sb.Append($"sed -n 's/^when=/deployed=/p; s/^who=/deployed_by=/p' {Q(layout.Current(q.Pod) + "/" + NodeLayout.RecordFile)} 2>/dev/null\n");
            if (p.Unit != UnitKind.RuncService)
            {
                sb.Append($"names=$({podman} pod inspect {Q(q.Pod)} --format '{{{{range .Containers}}}}{{{{.Name}}}} {{{{end}}}}' 2>/dev/null)\n");
                sb.Append($"if [ -n \"$names\" ]; then {podman} inspect --format 'ctr={{{{.Name}}}} {{{{.State.Status}}}} {{{{.RestartCount}}}} {{{{.Image}}}}' $names 2>/dev/null; fi\n");
                if (detail)
                    sb.Append(DetailScript(podman));
                foreach (var image in q.Images)
                    sb.Append($"echo \"image={image} $({podman} image inspect --format '{{{{.Id}}}}' {Q(image)} 2>/dev/null)\"\n");
            }
            else
                sb.Append(Runc.RuncScripts.Status(layout, p, q.Pod, detail));
        }
        return sb.ToString();
    }

    /// <summary>
    /// "ctrd=NAME STARTED LIMIT USAGE IMAGE HEALTH" per container ("-" for what is missing): the
    /// start time in seconds since the epoch, memory from the container's cgroup (v1
    /// memory.usage_in_bytes, else v2 memory.current). Health is the last field: podman 4.3 has a
    /// Health struct, 5.x a nil pointer when the container has no check.
    /// </summary>
    static string DetailScript(string podman) =>
        "if [ -n \"$names\" ]; then " +
        $"{podman} inspect --format '{{{{.Name}}}} {{{{.State.StartedAt.Unix}}}} {{{{.HostConfig.Memory}}}} {{{{.ImageName}}}} {{{{.State.CgroupPath}}}} {{{{if .State.Health}}}}{{{{.State.Health.Status}}}}{{{{end}}}}' $names 2>/dev/null | " +
        "while read -r n started limit image cg health; do u=; " +
        "if [ -n \"$cg\" ] && [ \"$cg\" != / ]; then u=$(cat \"/sys/fs/cgroup/memory$cg/memory.usage_in_bytes\" 2>/dev/null || cat \"/sys/fs/cgroup$cg/memory.current\" 2>/dev/null); fi; " +
        "echo \"ctrd=$n ${started:--} ${limit:--} ${u:--} ${image:--} ${health:--}\"; done; fi\n";

    public static ObservedNode Parse(string node, string output)
    {
        var pods = new List<ObservedPod>();
        var podmanPods = new List<string>();
        var vzPods = new List<string>();
        ObservedPod? cur = null;
        var containers = new List<ObservedContainer>();
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        var details = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var podStatus = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? now = null;
        bool linger = false;
        long mem = 0, disk = 0;
        var salt = "";
        string? holder = null;
        void Flush()
        {
            if (cur is not null)
                pods.Add(cur with { Containers = containers.Select(c => WithDetail(c, details)).ToList(), ImageIds = new Dictionary<string, string>(images) });
            containers.Clear();
            images.Clear();
            details.Clear();
        }
        foreach (var raw in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = raw.TrimEnd('\r');
            var eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            var (k, v) = (line[..eq], line[(eq + 1)..]);
            static string? Opt(string s) => s.Length == 0 ? null : s;
            switch (k)
            {
                case "linger": linger = v == "1"; break;
                case "salt": salt = v; break;
                case "lock": holder = LockOwner.Parse(v.Replace('\t', '\n'))?.Describe() ?? "(a deploy that has not written its owner file yet)"; break;
                case "mem_available_kb": mem = Kb(v); break;
                case "disk_free_kb": disk = Kb(v); break;
                case "podman_pod": podmanPods.Add(v); break;
                case "now": now = Epoch(v); break;
                case "podman_pod_status":
                    var ps = v.Split(' ', 2);
                    if (ps.Length == 2)
                        podStatus[ps[0]] = ps[1];
                    break;
                case "vz_pod": vzPods.Add(v); break;
                case "pod":
                    Flush();
                    cur = new ObservedPod { Pod = v };
                    break;
                case "current" when cur is not null: cur = cur with { Current = Opt(v) }; break;
                case "previous" when cur is not null: cur = cur with { Previous = Opt(v) }; break;
                case "pending" when cur is not null: cur = cur with { Pending = v == "1" }; break;
                case "active" when cur is not null: cur = cur with { Active = v }; break;
                case "enabled" when cur is not null: cur = cur with { Enabled = v }; break;
                case "restarts" when cur is not null: cur = cur with { ServiceRestarts = int.TryParse(v, out var r) ? r : 0 }; break;
                case "unit_sha" when cur is not null: cur = cur with { UnitSha = Opt(v) }; break;
                case "manifest_sha" when cur is not null: cur = cur with { ManifestSha = Opt(v) }; break;
                case "deadman" when cur is not null: cur = cur with { DeadmanArmed = v == "1" }; break;
                case "deployed" when cur is not null:
                    cur = cur with { Deployed = DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var w) ? w : null };
                    break;
                case "deployed_by" when cur is not null: cur = cur with { DeployedBy = v }; break;
                case "ctrd" when cur is not null:
                    var d = v.Split(' ');
                    if (d.Length == 6)
                        details[d[0]] = d;
                    break;
                case "ctr" when cur is not null:
                    var f = v.Split(' ');
                    if (f.Length == 4)
                        containers.Add(new ObservedContainer(f[0], f[1], int.TryParse(f[2], out var n) ? n : 0, f[3]));
                    break;
                case "image" when cur is not null:
                    var parts = v.Split(' ', 2);
                    if (parts.Length == 2 && parts[1].Length > 0)
                        images[parts[0]] = parts[1];
                    break;
            }
        }
        Flush();
        return new ObservedNode
        {
            Node = node, Pods = pods, PodmanPods = podmanPods, VzPods = vzPods, Linger = linger, MemAvailable = mem, DiskFree = disk, Salt = salt,
            LockHolder = holder, Now = now, PodmanPodStatus = podStatus,
        };
    }

    static ObservedContainer WithDetail(ObservedContainer c, IReadOnlyDictionary<string, string[]> details)
    {
        if (!details.TryGetValue(c.Name, out var d))
            return c;
        static string Text(string s) => s == "-" ? "" : s;
        // podman reports a container that never started with the zero time: year 1 (a large negative number of seconds).
        var started = Epoch(d[1]) is { } t && t.Year > 1970 ? t : (DateTimeOffset?)null;
        return c with
        {
            Started = started,
            MemoryLimit = long.TryParse(d[2], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : 0,
            MemoryUsage = long.TryParse(d[3], NumberStyles.None, CultureInfo.InvariantCulture, out var use) ? use : null,
            Image = Text(d[4]),
            Health = Text(d[5]),
        };
    }

    static DateTimeOffset? Epoch(string v) =>
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) && s > -62135596800 && s < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    static long Kb(string v) => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n * 1024 : 0;
}
