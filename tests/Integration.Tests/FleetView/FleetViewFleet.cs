using System.Text.Json;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.FleetView;

[CollectionDefinition(Name)]
public sealed class FleetViewCollection : ICollectionFixture<FleetViewFleet>
{
    public const string Name = "fleet view";
}

/// <summary>
/// One fleet for every fleet-view test (node starts and the first deploy are the slow part): three
/// nodes of two generations, n1 bookworm (vz's own unit, iptables), n2 trixie (Quadlet, nftables),
/// n3 bookworm; web on n1 and n2, api on n2 and n3, deployed at version 1. The deploy tests' web
/// app, fleet directory and CLI runner (tests/Integration.Tests/Deploy). Each test leaves the fleet
/// as it found it: converged at version 1 (diff exit 0).
/// </summary>
public sealed class FleetViewFleet : IAsyncLifetime
{
    public const int WebPort = 18080, ApiPort = 18081;

    /// <summary>hosts.ini's groups: web on n1 and n2, api on n2 and n3.</summary>
    public static readonly (string Group, int[] Nodes)[] Placement = [("web", [0, 1]), ("api", [1, 2])];

    TestFleet? nodes;
    DeployFleet? fleet;

    public WebApp App { get; } = WebApp.Get();
    public TestFleet Nodes => nodes!;
    public DeployFleet Fleet => fleet!;
    public TestNode N1 => Nodes[0];
    public TestNode N2 => Nodes[1];
    public TestNode N3 => Nodes[2];

    public async Task InitializeAsync()
    {
        nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie, NodeOptions.Bookworm);
        fleet = new DeployFleet(nodes, Placement);
        UseWebVersion(App.V1);
        var first = await fleet.DeployAsync();
        if (first.ExitCode != 0)
            throw new InvalidOperationException($"the fleet view fixture's first deploy failed: {first}");
    }

    /// <summary>Writes the fleet file and manifests with web at this version (api stays at 1).</summary>
    public void UseWebVersion(AppImage web)
    {
        Fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", web, WebPort));
        Fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", App.Api, ApiPort));
        Fleet.FleetFile(Fleet.PodEntry("web", web, WebPort, "web") + Fleet.PodEntry("api", App.Api, ApiPort, "api"));
    }

    /// <summary>Runs vzbuild in the fleet directory.</summary>
    public async Task<ViewRun> RunAsync(params string[] args) => new(await Fleet.VzbuildAsync(args));

    public Task<ViewRun> DiffAsync() => RunAsync("diff", "--json");

    /// <summary>Asks diff until it says converged (a node just booted starts its pods by itself), at most <paramref name="within"/>.</summary>
    public async Task<ViewRun> ConvergedAsync(TimeSpan within)
    {
        var end = DateTime.UtcNow + within;
        ViewRun run;
        while ((run = await DiffAsync()).ExitCode != 0 && DateTime.UtcNow < end)
            await Task.Delay(2000);
        if (run.ExitCode == 9)
            run.Diagnostics = await JournalsAsync(run);
        return run;
    }

    /// <summary>This boot's journal of each unit diff names, read from its node: why it is not converged.</summary>
    async Task<string> JournalsAsync(ViewRun run)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (node, pod, _) in run.Findings.Distinct())
        {
            if (pod is null)
                continue;
            var n = Nodes[int.Parse(node[1..]) - 1];
            var r = await VzNode.TryRunAsync(["exec", n.Name, "journalctl", "-b", "--no-pager", "-o", "short-monotonic", "-n", "80", "-u", $"vz-{pod}.service"]);
            sb.Append($"--- {node} vz-{pod}.service, this boot:\n{r.StdOut}{r.StdErr}");
        }
        return sb.ToString();
    }

    /// <summary>Stops a node as a VPS vanishes; its netfilter rules go with it, as at a real power cut (NodeOps.RebootAsync says why).</summary>
    public static async Task StopAsync(TestNode node)
    {
        await NodeOps.FlushNetfilterAsync(node);
        await node.StopAsync();
    }

    public async Task DisposeAsync()
    {
        fleet?.Dispose();
        if (nodes is not null)
            await nodes.DisposeAsync();
    }
}

/// <summary>What one vzbuild command printed and returned; its --json document when it printed one.</summary>
public sealed class ViewRun(ProcessResult process)
{
    readonly JsonElement? root = process.StdOut.TrimStart().StartsWith('{') ? JsonDocument.Parse(process.StdOut).RootElement : null;

    public ProcessResult Process => process;
    public int ExitCode => process.ExitCode;
    public string StdOut => process.StdOut;
    public JsonElement Json => root ?? throw new InvalidOperationException($"printed no JSON: {this}");

    /// <summary>diff --json: each finding as (node, pod, kind).</summary>
    public IReadOnlyList<(string Node, string? Pod, string Kind)> Findings =>
        Json.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("node").GetString()!, f.GetProperty("pod").GetString(), f.GetProperty("kind").GetString()!)).ToList();

    /// <summary>diff --json: the findings' lines, as diff prints them.</summary>
    public IReadOnlyList<string> Lines => Json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("line").GetString()!).ToList();

    public JsonElement Node(string name) => Json.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == name);

    /// <summary>What a test gathered to explain a failure (the journals of drifted units).</summary>
    public string Diagnostics { get; set; } = "";

    public override string ToString() =>
        $"exit {process.ExitCode}\nstdout: {process.StdOut}\nstderr (tail): {string.Join('\n', process.StdErr.Split('\n').TakeLast(25))}\n{Diagnostics}";
}
