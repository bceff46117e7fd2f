using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vz.Deploy.Drift;
using Vz.Deploy.Platform;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Provision;

/// <summary>What node check found on one node. <see cref="Problems"/> empty: the node is ready.</summary>
public sealed record NodeCheck
{
    public required string Node { get; init; }
    public required string User { get; init; }
    public string Os { get; init; } = "";
    /// <summary>Root, or a user with passwordless sudo.</summary>
    public bool Sudo { get; init; }
    public Version? Podman { get; init; }
    public bool Quadlet { get; init; }
    /// <summary>The node has runc: it can run runc pods (runtime: runc), with or without podman.</summary>
    public bool Runc { get; init; }
    /// <summary>No podman, and runc: ready for runc pods only (deploy refuses podman pods there).</summary>
    public bool RuncOnly => Podman is null && Runc;
    /// <summary>"ok (0.4s)", or why the test container did not run.</summary>
    public string Container { get; init; } = "";
    public bool ContainerRan { get; init; }
    /// <summary>"xdelta3", "vzpatch" or "none".</summary>
    public string Delta { get; init; } = "none";
    public CgroupMode Cgroup { get; init; }
    public FirewallBackend Firewall { get; init; }
    public long MemAvailable { get; init; }
    public long MemTotal { get; init; }
    public long DiskFree { get; init; }
    /// <summary>vz's transient things still there: a running vzpatch or xdelta3, a dead-man timer, a check container, a held deploy lock.</summary>
    public IReadOnlyList<string> Leftovers { get; init; } = [];
    /// <summary>Why the node is not ready; empty when it is.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool Ready => Problems.Count == 0;
}

/// <summary>
/// vzbuild node check: logs in as each node's deploy user (by key, as deploy will), reads its facts
/// (<see cref="NodeFacts.Probe"/> plus vz's own leftovers), runs a test container from an image vz
/// makes (<see cref="CheckImage"/>; nothing is pulled) and says whether the node is ready.
/// </summary>
public sealed class NodeChecker(INodeConnector connector, IReporter reporter, FleetOptions options)
{
    public Task<FleetResult<NodeCheck>> CheckAsync(IReadOnlyList<NodeTarget> targets, CancellationToken ct) =>
        new FleetRunner(connector, reporter, options).RunAsync(targets, (a, token) => CheckNodeAsync(a.Target, a.Node, token), ct);

    /// <summary>Probe lines beyond <see cref="NodeFacts.Probe"/>: machine, delta tools, os name, and vz's leftovers.</summary>
    public const string ExtraProbe =
        "echo \"machine=$(uname -m)\"\n" +
        "if command -v xdelta3 >/dev/null; then echo xdelta3=1; fi\n" +
        "for f in \"$HOME\"/.vz/images/.vz/vzpatch-*; do if [ -x \"$f\" ]; then echo vzpatch=1; break; fi; done\n" +
        "if [ -f /etc/os-release ]; then (. /etc/os-release; echo \"os_pretty=$PRETTY_NAME\"); fi\n" +
        "for p in vzpatch xdelta3; do if pgrep -x \"$p\" >/dev/null 2>&1; then echo \"left=$p running\"; fi; done\n" +
        "for s in '' --user; do systemctl $s list-units --all --no-legend --plain 'vz-deadman-*' 2>/dev/null | awk '{print \"left=dead-man \" $1}'; done\n" +
        "if [ -e \"$HOME/.vz/lock/owner\" ]; then echo 'left=deploy lock held'; fi\n" +
        "if command -v podman >/dev/null; then podman ps -a --filter name=vz-check- --format '{{.Names}}' 2>/dev/null | awk '{print \"left=container \" $1}'; fi\n" +
        $"if command -v runc >/dev/null; then runc --root {Runc.RuncScripts.StateRoot} list -q 2>/dev/null | awk '/^vz-check-/ {{print \"left=container \" $1}}'; fi\n";

    async Task<NodeCheck> CheckNodeAsync(NodeTarget target, INodeTransport node, CancellationToken ct)
    {
        reporter.Progress(target.Name, 0, 0, "probing");
        var probe = await node.ExecAsync(NodeFacts.Probe + ExtraProbe, ct);
        var facts = NodeFacts.Parse(probe.StdOut, target.Name);
        var extra = Lines(probe.StdOut);
        var check = new NodeCheck
        {
            Node = target.Name,
            User = facts.User,
            Os = extra.GetValueOrDefault("os_pretty")?.FirstOrDefault() ?? facts.OsId,
            Sudo = !facts.Rootless || facts.Sudo,
            Podman = facts.Podman,
            Quadlet = facts.Quadlet,
            Runc = facts.Runc,
            Delta = extra.ContainsKey("xdelta3") ? "xdelta3" : extra.ContainsKey("vzpatch") ? "vzpatch" : "none",
            Cgroup = facts.Cgroup,
            Firewall = facts.Firewalld ? FirewallBackend.Firewalld : facts.Nft ? FirewallBackend.Nftables : facts.Iptables ? FirewallBackend.Iptables : FirewallBackend.None,
            MemAvailable = facts.MemAvailable,
            MemTotal = facts.MemTotal,
            DiskFree = facts.DiskFree,
            Leftovers = extra.GetValueOrDefault("left") ?? [],
        };
        var machine = extra.GetValueOrDefault("machine")?.FirstOrDefault() ?? "";
        // Without podman, runc runs the test container (as root: runc pods run as root).
        var runner = facts.Podman is not null ? "podman" : facts.Runc && !facts.Rootless ? "runc" : null;
        var (ran, container) = runner is null ? (false, facts.Runc ? "no podman (runc needs root)" : "no podman")
            : CheckImage.Executable(machine) is { } exe ? await RunContainerAsync(target, node, facts.Home, exe, runner == "runc" ? facts.RuncPath : null, ct)
            : (false, $"not tried: vz has no test image for {machine}");
        check = check with { ContainerRan = ran, Container = container };
        var notes = new List<string>();
        if (check.Delta == "none")
            notes.Add("neither xdelta3 nor vzpatch: push sends full uploads until it copies vzpatch");
        if (check.RuncOnly && !facts.Rootless)
            notes.Add("no podman: only runc pods (runtime: runc) can run here; deploy refuses podman pods");
        return check with { Problems = Problems(check, facts), Notes = notes };
    }

    /// <summary>Why a node is not ready: what a deploy to it would trip over.</summary>
    public static IReadOnlyList<string> Problems(NodeCheck c, NodeFacts facts)
    {
        var p = new List<string>();
        if (!c.Sudo)
            p.Add($"{c.User} has no passwordless sudo");
        // A node with runc and no podman runs runc pods (as root): ready for those.
        var runcOnly = c.RuncOnly && !facts.Rootless;
        if (c.Podman is null && !runcOnly)
            p.Add(c.Runc ? $"no podman, and {c.User} is not root (runc pods run as root)" : "no podman");
        else if (c.Podman is not null && c.Podman < PlatformDecisions.OldestPodman)
            p.Add($"podman {c.Podman} is older than {PlatformDecisions.OldestPodman}");
        if ((c.Podman is not null || runcOnly) && !c.ContainerRan)
            p.Add($"the test container did not run: {c.Container}");
        if (facts.Systemd is null)
            p.Add("no systemd");
        if (facts.Rootless && !facts.Linger)
            p.Add($"linger is off for {c.User} (its pods would stop at logout and not start at boot)");
        if (c.DiskFree < DriftCheck.DiskLowBytes)
            p.Add($"{Bytes(c.DiskFree)} disk free");
        if (c.MemAvailable < DriftCheck.MemoryLowBytes)
            p.Add($"{Bytes(c.MemAvailable)} memory available");
        if (c.Leftovers.Count > 0)
            p.Add($"left over: {string.Join(", ", c.Leftovers)}");
        return p;
    }

    /// <summary>Uploads the check image's rootfs, imports it, runs it once (--rm) and removes image and upload, whatever happened.</summary>
    async Task<(bool, string)> RunContainerAsync(NodeTarget target, INodeTransport node, string home, byte[] executable, string? runc, CancellationToken ct)
    {
        reporter.Progress(target.Name, 0, 0, "running a test container");
        var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var tar = $"{home}/.vz/vz-check-{nonce}.tar";
        var prepare = await node.ExecAsync($"mkdir -p {Sh.Quote(home + "/.vz")} && chmod 700 {Sh.Quote(home + "/.vz")}", ct);
        if (!prepare.Ok)
            return (false, $"cannot make ~/.vz: {Last(prepare)}");
        using (var rootfs = new MemoryStream(CheckImage.RootfsTar(executable)))
            await node.UploadAsync(rootfs, tar, 0, null, ct);
        var clock = Stopwatch.StartNew();
        var r = await node.ExecAsync(runc is null ? RunScript(target.Settings, tar, nonce) : RuncRunScript(runc, home, tar, nonce), ct);
        var took = clock.Elapsed;
        return r.Ok && r.StdOut.Trim() == CheckImage.Expected
            ? (true, $"ok ({took.TotalSeconds:0.0}s{(runc is null ? "" : ", runc")})")
            : (false, r.Ok ? $"printed '{r.StdOut.Trim()}'" : $"exit {r.ExitCode}: {Last(r)}");
    }

    /// <summary>import, run with the node's default network (what pods get), then remove image and tar; the run's exit code is the script's.</summary>
    public static string RunScript(NodeSettings settings, string tar, string nonce)
    {
        var podman = Podman(settings);
        var image = $"localhost/vz-check:{nonce}";
        return $"{podman} import -q {Sh.Quote(tar)} {image} >/dev/null && {podman} run --rm --name vz-check-{nonce} {image} /{CheckImage.FileName}; " +
            $"rc=$?; {podman} rmi -f {image} >/dev/null 2>&1; rm -f {Sh.Quote(tar)}; exit $rc";
    }

    /// <summary>
    /// The same with runc alone (a node without podman): the rootfs unpacked with tar into a bundle
    /// beside the upload, with vz's minimal config.json, run in the foreground, then the container,
    /// bundle and tar removed; the run's exit code is the script's.
    /// </summary>
    public static string RuncRunScript(string runc, string home, string tar, string nonce)
    {
        var dir = $"{home}/.vz/vz-check-{nonce}";
        var id = $"vz-check-{nonce}";
        var config = System.Text.Encoding.UTF8.GetString(Oci.RuntimeConfigJson.Serialize(Runc.RuncConfig.Minimal($"{dir}/rootfs", [$"/{CheckImage.FileName}"], "vz-check")));
        var r = $"{Sh.Quote(runc)} --root {Runc.RuncScripts.StateRoot}";
        return $"mkdir -p {Sh.Quote(dir + "/rootfs")} && tar -xf {Sh.Quote(tar)} -C {Sh.Quote(dir + "/rootfs")} && printf '%s' {Sh.Quote(config)} > {Sh.Quote(dir + "/config.json")} && " +
            $"{r} run --bundle {Sh.Quote(dir)} {id}; rc=$?; {r} delete --force {id} >/dev/null 2>&1; rm -rf {Sh.Quote(dir)} {Sh.Quote(tar)}; exit $rc";
    }

    /// <summary>podman with the node's settings (vz_runtime, vz_cgroup_manager, vz_env_*), as push runs it.</summary>
    static string Podman(NodeSettings settings) =>
        (settings.Env.Count == 0 ? "" : "env " + string.Join(' ', settings.Env.Select(kv => Sh.Quote($"{kv.Key}={kv.Value}"))) + " ")
        + "podman" + (settings.Runtime is { } r ? $" --runtime {Sh.Quote(r)}" : "")
        + (settings.CgroupManager is { } c ? $" --cgroup-manager {Sh.Quote(c)}" : "");

    static Dictionary<string, List<string>> Lines(string output)
    {
        var d = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            if (!d.TryGetValue(line[..eq], out var list))
                d[line[..eq]] = list = [];
            list.Add(line[(eq + 1)..]);
        }
        return d;
    }

    static string Last(ProcessResult r) =>
        (r.StdErr.Trim().Length > 0 ? r.StdErr : r.StdOut).Trim().Split('\n').LastOrDefault()?.Trim() ?? "";

    internal static string Bytes(long n) => n >= 1L << 30 ? $"{n / (double)(1L << 30):0.0} GiB" : $"{n >> 20} MiB";
}

/// <summary>node check's table and JSON.</summary>
public static class NodeCheckSummary
{
    public static string Table(FleetResult<NodeCheck> result)
    {
        var rows = result.Nodes.Select(o => o.Value is { } c
            ? new[]
            {
                c.Node, $"{c.User} ok", c.Sudo ? "yes" : "NO", c.Podman is null ? (c.Runc ? "none (runc)" : "none") : $"{c.Podman}{(c.Quadlet ? " +quadlet" : "")}",
                c.Container, c.Delta, Cgroup(c.Cgroup), Firewall(c.Firewall),
                $"{NodeChecker.Bytes(c.MemAvailable)}/{NodeChecker.Bytes(c.MemTotal)}", NodeChecker.Bytes(c.DiskFree),
                c.Leftovers.Count == 0 ? "none" : string.Join(", ", c.Leftovers),
                c.Ready ? (c.RuncOnly ? "ready (runc pods only)" : "ready") : "NOT READY: " + string.Join("; ", c.Problems),
            }
            : [o.Node, "FAILED", "-", "-", "-", "-", "-", "-", "-", "-", "-", $"NOT READY: {o.Error}"]);
        var ready = result.Nodes.Count(o => o.Value?.Ready == true);
        var notReady = result.Nodes.Where(o => o.Value?.Ready != true).Select(o => o.Node).ToList();
        var notes = result.Nodes.Where(o => o.Value is not null).SelectMany(o => o.Value!.Notes.Select(n => $"{o.Node}: {n}\n"));
        return FleetTable.Render(["NODE", "KEY LOGIN", "SUDO", "PODMAN", "TEST CONTAINER", "DELTAS", "CGROUP", "FIREWALL", "MEMORY FREE", "DISK FREE", "LEFT OVER", "STATUS"], rows)
            + string.Concat(notes)
            + $"{ready} ready, {notReady.Count} not ready{(notReady.Count > 0 ? ": " + string.Join(", ", notReady) : "")}\n";
    }

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Json(FleetResult<NodeCheck> result) => JsonSerializer.Serialize(new
    {
        ready = result.Nodes.Count(o => o.Value?.Ready == true),
        notReady = result.Nodes.Count(o => o.Value?.Ready != true),
        nodes = result.Nodes.Select(o => new
        {
            node = o.Node,
            ready = o.Value?.Ready == true,
            error = o.Error,
            user = o.Value?.User,
            os = o.Value?.Os,
            sudo = o.Value?.Sudo,
            podman = o.Value?.Podman?.ToString(),
            quadlet = o.Value?.Quadlet,
            runc = o.Value?.Runc,
            container = o.Value?.Container,
            containerRan = o.Value?.ContainerRan,
            delta = o.Value?.Delta,
            cgroup = o.Value?.Cgroup,
            firewall = o.Value?.Firewall,
            memAvailable = o.Value?.MemAvailable,
            memTotal = o.Value?.MemTotal,
            diskFree = o.Value?.DiskFree,
            leftovers = o.Value?.Leftovers,
            problems = o.Value?.Problems ?? (o.Error is null ? [] : [o.Error]),
            notes = o.Value?.Notes,
        }),
    }, JsonOptions);

    static string Cgroup(CgroupMode m) => m switch { CgroupMode.V1 => "v1", CgroupMode.Hybrid => "hybrid", _ => "v2" };

    static string Firewall(FirewallBackend f) => f switch
    {
        FirewallBackend.Firewalld => "firewalld",
        FirewallBackend.Nftables => "nftables",
        FirewallBackend.Iptables => "iptables",
        _ => "none",
    };
}
