using System.Net;
using System.Net.Sockets;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Vz.Tests;

namespace Vz.Integration.Tests.Deploy;

/// <summary>The fleet file through the built vzbuild: issue 9's file as written, and a broken one that touches no node.</summary>
public sealed class FleetFileTests
{
    [Fact]
    public async Task IssueNinesFleetFileDeploysAsWrittenAndItsPodAnswers()
    {
        var app = WebApp.Get();
        await using var nodes = await TestFleet.StartAsync(NodeOptions.Trixie);
        using var fleet = new DeployFleet(nodes, ("web", [0]));
        var source = RepoRoot.Combine("fixtures", "pods", "issue9");
        fleet.Write("vz.yaml", File.ReadAllText(Path.Combine(source, "vz.yaml")));
        fleet.Write("pods/web.yaml", File.ReadAllText(Path.Combine(source, "pods", "web.yaml")));
        Directory.CreateDirectory(Path.Combine(fleet.Path, "build"));
        File.Copy(app.Issue9.Archive, Path.Combine(fleet.Path, "build", "web.oci.tar"));

        var run = await fleet.DeployAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("deployed", run.PodAction("n1", "web"));
        Assert.Equal("issue 9", await Web.TryGetAsync(nodes[0], 8080));
    }

    [Fact]
    public void ABrokenManifestIsRefusedByTheBuiltCliWithoutAConnectionToTheNode()
    {
        // The inventory's only node is a listener of this test: a connection would show.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var dir = new ScratchDir("deploy-broken");
        dir.Write("hosts.ini", $"[web]\nn1 ansible_host=127.0.0.1 ansible_port={port} ansible_user=root\n");
        dir.Write("pods/web.yaml", File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "bad", "unknown-field.yaml")));
        dir.Write("build/web.oci.tar", "");
        dir.Write("vz.yaml", File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "issue9", "vz.yaml")));

        var r = Vzbuild.RunIn(dir.Path, new Dictionary<string, string?> { ["VZ_SSH_CONFIG"] = "/dev/null" }, "deploy", "--json");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("vzbuild: error VZ4002: pods/web.yaml:10: spec.containers[0].workdir: unknown field (did you mean 'workingDir'?)", r.StdErr);
        Assert.False(listener.Pending(), "vzbuild connected to the node");
    }
}
