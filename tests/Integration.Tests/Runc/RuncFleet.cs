using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.FleetView;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.RuncPods;

[CollectionDefinition(Name)]
public sealed class RuncCollection : ICollectionFixture<RuncFleet>
{
    public const string Name = "runc pods";
}

/// <summary>
/// One fleet for every runc-pod test (node starts and the first deploy are the slow part): n1 a
/// bookworm node WITHOUT podman (runc only, iptables), n2 a trixie node with podman installed
/// (systemd 257, nftables), both running the deploy tests' web app as a runc pod on the node's own
/// port 8080 (host network), deployed at version 1. Each test leaves the fleet converged at version 1.
/// </summary>
public sealed class RuncFleet : IAsyncLifetime
{
    /// <summary>The app's own port: a runc pod maps no ports.</summary>
    public const int Port = 8080;

    TestFleet? nodes;
    DeployFleet? fleet;

    public WebApp App { get; } = WebApp.Get();
    readonly Lazy<AppImage> v3 = new(() => WebApp.Get().Another("localhost/vzweb:3", "web v3"));
    /// <summary>Version 3, one file apart from version 1, shipped by one test only (the delta update's).</summary>
    public AppImage V3 => v3.Value;
    public TestFleet Nodes => nodes!;
    public DeployFleet Fleet => fleet!;
    public TestNode N1 => Nodes[0];
    public TestNode N2 => Nodes[1];
    public IEnumerable<(string Name, TestNode Node)> Both => [("n1", N1), ("n2", N2)];

    public async Task InitializeAsync()
    {
        nodes = await TestFleet.StartAsync(NodeOptions.Bookworm with { Kind = NodeKind.NoPodman }, NodeOptions.Trixie);
        fleet = new DeployFleet(nodes, ("web", [0, 1]));
        UseVersion(App.V1);
        var first = await fleet.DeployAsync();
        if (first.ExitCode != 0)
            throw new InvalidOperationException($"the runc fixture's first deploy failed: {first}");
    }

    /// <summary>Writes the fleet file and manifest with web, a runc pod, at this version (no canary unless asked).</summary>
    public void UseVersion(AppImage web, string rollout = "rollout:\n  canary: 0\n", string timeout = "20s")
    {
        Fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", web, Port));
        Fleet.FleetFile(Fleet.PodEntry("web", web, Port, "web", timeout, "\n    runtime: runc"), rollout);
    }

    /// <summary>Back at version 1 and converged, whatever a test left (its finally).</summary>
    public async Task BackToV1Async()
    {
        UseVersion(App.V1);
        var back = await Fleet.DeployAsync();
        Assert.True(back.ExitCode == 0, back.ToString());
    }

    public async Task<ViewRun> RunAsync(params string[] args) => new(await Fleet.VzbuildAsync(args));

    /// <summary>The pid of the container's init as runc reports it (0 when runc has no such container).</summary>
    public static async Task<int> ContainerPidAsync(TestNode node) =>
        int.Parse(await NodeState.ExecAsync(node, "runc --root /run/vz-runc state vz-web 2>/dev/null | sed -n 's/^ *\"pid\": \\([0-9]*\\),$/\\1/p' | grep . || echo 0"));

    /// <summary>The lines the app appended to its volume at each start (it cannot link them into its read-only /www).</summary>
    public static Task<string> StartsAsync(TestNode node) => NodeState.ExecAsync(node, "cat /root/.vz/volumes/web-data/starts");

    public async Task DisposeAsync()
    {
        fleet?.Dispose();
        if (nodes is not null)
            await nodes.DisposeAsync();
    }
}
