using System.Text.Json;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Deploy;

/// <summary>
/// An operator's fleet directory for harness nodes: vz.yaml, hosts.ini (node names n1, n2, ...
/// with the harness's addresses), pods/*.yaml and the image archives, plus the master's own delta
/// cache. <see cref="DeployAsync"/> runs the built <c>vzbuild deploy --json</c> in it.
/// </summary>
public sealed class DeployFleet : IDisposable
{
    readonly ScratchDir dir = new("deploy-fleet");
    readonly OperatorLogin login;

    /// <summary>The operator's SSH login to the nodes: a user other than the harness's root (node add's deploy user), its key and known_hosts.</summary>
    public sealed record OperatorLogin(string? User, string Key, string KnownHosts)
    {
        /// <summary>The harness's: root by its key.</summary>
        public static OperatorLogin Harness => new(null, VzNode.SshKeyPath, VzNode.KnownHostsPath);
    }

    public DeployFleet(TestFleet nodes, params (string Group, int[] Nodes)[] groups) : this(nodes, OperatorLogin.Harness, groups)
    {
    }

    public DeployFleet(TestFleet nodes, OperatorLogin login, params (string Group, int[] Nodes)[] groups)
    {
        Nodes = nodes;
        this.login = login;
        Inventory(groups);
    }

    /// <summary>Writes hosts.ini: each group and its nodes (by index).</summary>
    public void Inventory(params (string Group, int[] Nodes)[] groups)
    {
        var ini = new System.Text.StringBuilder();
        foreach (var (group, members) in groups)
        {
            ini.Append($"[{group}]\n");
            foreach (var i in members)
                ini.Append($"{Name(i)} ansible_host={Nodes[i].Ip} ansible_user={login.User ?? Nodes[i].User}\n");
            ini.Append('\n');
        }
        dir.Write("hosts.ini", ini.ToString());
    }

    public TestFleet Nodes { get; }
    public string Path => dir.Path;
    public string CacheDir => dir["cache"];

    /// <summary>The inventory name of the node at index i.</summary>
    public static string Name(int i) => $"n{i + 1}";

    public TestNode Node(string name) => Nodes[int.Parse(name[1..]) - 1];

    /// <summary>Copies an image archive into the fleet directory (paths must stay inside it); returns its relative path.</summary>
    public string Archive(AppImage image)
    {
        var rel = $"images/{System.IO.Path.GetFileName(image.Archive)}";
        if (!File.Exists(dir[rel]))
        {
            Directory.CreateDirectory(dir["images"]);
            File.Copy(image.Archive, dir[rel]);
        }
        return rel;
    }

    public string Write(string relative, string text) => dir.Write(relative, text);

    /// <summary>
    /// A pod manifest of the web app: one container publishing 8080 as hostPort, its data volume at /data;
    /// <paramref name="memory"/> null: no limit (rootless podman cannot enforce one on the harness's hybrid cgroups).
    /// </summary>
    public static string Manifest(string pod, AppImage image, int hostPort, string? memory = "64Mi", string extraPorts = "", string securityContext = "",
        string extraMounts = "", string extraVolumes = "") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {pod}
        spec:{securityContext}
          containers:
            - name: app
              image: {image.Image}
              ports:
                - containerPort: 8080
                  hostPort: {hostPort}{extraPorts}{(memory is null ? "" : $"\n      resources:\n        limits: {{ memory: {memory} }}")}
              volumeMounts:
                - name: data
                  mountPath: /data{extraMounts}
          volumes:
            - name: data
              persistentVolumeClaim:
                claimName: {pod}-data{extraVolumes}
        """;

    /// <summary>A pods: entry of vz.yaml for a pod of one image with an HTTP check on its host port.</summary>
    public string PodEntry(string pod, AppImage image, int port, string groups, string timeout = "20s", string extra = "") => $"""
          - name: {pod}
            manifest: pods/{pod}.yaml
            groups: [{groups}]
            images:
              {image.Image}: {Archive(image)}
            health:
              http: {"{"} port: {port}, path: / {"}"}
              timeout: {timeout}{extra}

        """;

    /// <summary>Writes vz.yaml from pod entries (and an optional rollout: or secrets: block).</summary>
    public void FleetFile(string pods, string more = "") =>
        Write("vz.yaml", "inventory: hosts.ini\npods:\n" + pods + more);

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["VZ_KNOWN_HOSTS"] = login.KnownHosts,
        ["VZ_SSH_IDENTITY"] = login.Key,
        ["VZ_SSH_CONFIG"] = "/dev/null",
        ["VZ_CACHE_DIR"] = CacheDir,
        ["VZ_VZPATCH"] = "",
    };

    /// <summary>Runs vzbuild deploy --json in the fleet directory (bounded: a hung deploy fails the test, not the CI job).</summary>
    public async Task<DeployRun> DeployAsync(params string[] extra)
    {
        var r = await ProcessRunner.RunAsync(new ProcessSpec("dotnet", [System.IO.Path.Combine(AppContext.BaseDirectory, "vzbuild.dll"), "deploy", "--json", .. extra])
        {
            Environment = Environment,
            WorkingDirectory = Path,
            Timeout = TimeSpan.FromMinutes(8),
        });
        return new DeployRun(r);
    }

    /// <summary>Starts vzbuild with any arguments in the fleet directory; the caller awaits it.</summary>
    public Task<ProcessResult> VzbuildAsync(params string[] args) =>
        ProcessRunner.RunAsync(new ProcessSpec("dotnet", [System.IO.Path.Combine(AppContext.BaseDirectory, "vzbuild.dll"), .. args])
        {
            Environment = Environment,
            WorkingDirectory = Path,
            Timeout = TimeSpan.FromMinutes(8),
        });

    public void Dispose() => dir.Dispose();
}

/// <summary>What one <c>vzbuild deploy --json</c> printed and returned.</summary>
public sealed class DeployRun(ProcessResult process)
{
    readonly JsonElement? root = process.StdOut.TrimStart().StartsWith('{') ? JsonDocument.Parse(process.StdOut).RootElement : null;

    public ProcessResult Process => process;
    public int ExitCode => process.ExitCode;
    public JsonElement Json => root ?? throw new InvalidOperationException($"deploy printed no JSON: {this}");
    public string Outcome => Json.GetProperty("outcome").GetString()!;

    public JsonElement Node(string name) => Json.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == name);

    /// <summary>A node's outcome: updated, unchanged, rolled-back, failed, unreachable, untouched.</summary>
    public string NodeOutcome(string name) => Node(name).GetProperty("outcome").GetString()!;

    public JsonElement Pod(string node, string pod) => Node(node).GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == pod);

    public string PodAction(string node, string pod) => Pod(node, pod).GetProperty("action").GetString()!;

    public IReadOnlyList<string> Untouched => Json.GetProperty("untouched").EnumerateArray().Select(e => e.GetString()!).ToList();

    public override string ToString() =>
        $"exit {process.ExitCode}\nstdout: {process.StdOut}\nstderr (tail): {string.Join('\n', process.StdErr.Split('\n').TakeLast(25))}";
}

/// <summary>What the test sees from the operator's side: HTTP answers from the nodes' published ports.</summary>
public static class Web
{
    /// <summary>The page at ip:port, or null when nothing answers within 2 s.</summary>
    public static async Task<string?> TryGetAsync(TestNode node, int port, string path = "/")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return (await http.GetStringAsync($"http://{node.Ip}:{port}{path}")).Trim();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until the page is <paramref name="expected"/>; returns what it last was (the caller asserts).</summary>
    public static async Task<string?> WaitForAsync(TestNode node, int port, string expected, TimeSpan within, string path = "/")
    {
        var deadline = DateTime.UtcNow + within;
        string? last;
        while ((last = await TryGetAsync(node, port, path)) != expected && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        return last;
    }
}

/// <summary>Faults and reads on a node beyond what the harness gives.</summary>
public static class NodeOps
{
    /// <summary>
    /// A reboot as a real VPS has it. The harness keeps a node's network namespace across
    /// `vznode reboot`, so the kernel's netfilter rules survive it, which a real reboot never does:
    /// netavark's DNAT rules from before the reboot then point at the old container addresses and
    /// the pod's port answers nothing. The rules are flushed first, as the reboot would; vz's own
    /// rules come back through vz-firewall.service, podman's through the pods' units.
    /// </summary>
    public static async Task RebootAsync(TestNode node)
    {
        await FlushNetfilterAsync(node);
        await node.RebootAsync();
    }

    /// <summary>Drops every netfilter rule of the node, as its reboot would (see <see cref="RebootAsync"/>); also before a stop and start.</summary>
    public static Task FlushNetfilterAsync(TestNode node) =>
        NodeState.ExecAsync(node, node.Release == NodeRelease.Trixie
            ? "nft flush ruleset"
            : "for t in filter nat mangle raw; do iptables -t $t -F; iptables -t $t -X; ip6tables -t $t -F; ip6tables -t $t -X; done");

    /// <summary>The start time podman records for each container of a pod ("NAME STARTED" lines, sorted).</summary>
    public static async Task<string> StartTimesAsync(TestNode node, string pod) =>
        await NodeState.ExecAsync(node, $"podman pod inspect {pod} --format '{{{{range .Containers}}}}{{{{.Name}}}} {{{{end}}}}' | xargs podman inspect --format '{{{{.Name}}}} {{{{.State.StartedAt}}}}' | sort");

    /// <summary>The release the pod's current link names on the node.</summary>
    public static Task<string> CurrentReleaseAsync(TestNode node, string pod) =>
        NodeState.ExecAsync(node, $"readlink /root/.vz/pods/{pod}/current | sed 's#releases/##'");

    /// <summary>Units and processes of vz on the node besides the pods' own services: none between deploys.</summary>
    public static Task<string> LeftoversAsync(TestNode node) =>
        NodeState.ExecAsync(node, "systemctl list-units --all --no-legend 'vz-deadman-*' | cat; ls /root/.vz/pods/*/pending /root/.vz/lock 2>/dev/null; true");
}
