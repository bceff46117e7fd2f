using Vz.Deploy.Fleet;
using Vz.Deploy.Platform;
using Vz.Deploy.Provision;
using Vz.Deploy.Runner;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Runc;

/// <summary>A node with runc and no podman: what deploy decides for it, and what node check says of it.</summary>
public class RuncNodeTests
{
    static readonly Vz.Deploy.Pods.PodManifest Web = Nodes.Manifest("runc/web.yaml");

    /// <summary>The trixie node-add probe as root, with runc and without podman (a harness node of kind NoPodman).</summary>
    static string RuncOnlyProbe(bool root = true) =>
        string.Join('\n', File.ReadAllText(RepoRoot.Combine("fixtures", "node-add", "node-check-probe.trixie-deploy.txt")).Split('\n')
            .Where(l => !l.StartsWith("podman") && !l.StartsWith("quadlet"))
            .Select(l => !root ? l : l.StartsWith("user=") ? "user=root" : l.StartsWith("uid=") ? "uid=0" : l.StartsWith("home=") ? "home=/root" : l)
            .Append("runc_path=/usr/sbin/runc"));

    [Fact]
    public void ARuncPodOnAHybridNodeUsesCgroupfsAndOnV2SystemdsDriver()
    {
        var hybrid = PlatformDecisions.Decide(Nodes.Facts("debian-12-node-captured"), new NodeSettings(), Nodes.Entry("web", PodRuntime.Runc), Web, "n1");
        var v2 = PlatformDecisions.Decide(Nodes.Facts("debian-12"), new NodeSettings(), Nodes.Entry("web", PodRuntime.Runc), Web, "n1");
        Assert.Equal((UnitKind.RuncService, false, true), (hybrid.Unit, hybrid.RuncSystemdCgroup, v2.RuncSystemdCgroup));
    }

    [Fact]
    public void ARuncPodOfARootlessUserIsRefusedWithTheWayOut()
    {
        var e = Assert.Throws<VzException>(() => PlatformDecisions.Decide(Nodes.Facts("debian-12-rootless"), new NodeSettings(), Nodes.Entry("web", PodRuntime.Runc), Web, "n1"));
        Assert.Equal(Vz.Deploy.Pods.PodErrors.NodeCannotRun, e.Error);
        Assert.Contains("vz runs runc pods as root", e.Message);
        Assert.Contains("ansible_user=root", e.Hint);
    }

    /// <summary>A node that answers the probe and runs the test container (podman's or runc's) with <paramref name="run"/>.</summary>
    sealed class ScriptedNode(string probe, ProcessResult run) : INodeConnector, INodeTransport
    {
        public List<string> Commands { get; } = [];
        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) => Task.FromResult<INodeTransport>(this);
        public Task<ProcessResult> ExecAsync(string command, CancellationToken ct)
        {
            Commands.Add(command);
            return Task.FromResult(command.StartsWith(NodeFacts.Probe, StringComparison.Ordinal) ? new ProcessResult(0, probe, "")
                : command.Contains(" run --bundle ") || command.Contains(" import -q ") ? run : new ProcessResult(0, "", ""));
        }
        public Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    static async Task<(NodeCheck Check, ScriptedNode Node)> CheckAsync(string probe, ProcessResult run)
    {
        var node = new ScriptedNode(probe, run);
        var result = await new NodeChecker(node, new CollectingReporter(), new FleetOptions { Retries = 0 })
            .CheckAsync([new NodeTarget("n1", "192.0.2.5", 22, "root", [])], CancellationToken.None);
        return (result.Nodes[0].Value!, node);
    }

    [Fact]
    public async Task NodeCheckCallsANodeWithRuncAndNoPodmanReadyForRuncPodsAfterRunningItsTestContainerWithRunc()
    {
        var (c, node) = await CheckAsync(RuncOnlyProbe(), new ProcessResult(0, "vz-check-ok\n", ""));
        Assert.True(c.Ready, string.Join("; ", c.Problems));
        Assert.True(c.RuncOnly);
        Assert.Equal("no podman: only runc pods (runtime: runc) can run here; deploy refuses podman pods", Assert.Single(c.Notes, n => n.Contains("runc")));
        Assert.Matches(@"^ok \([0-9.]+s, runc\)$", c.Container);
        var run = node.Commands.Single(x => x.Contains(" run --bundle "));
        Assert.Contains("tar -xf /root/.vz/vz-check-", run);
        Assert.Matches(@"/usr/sbin/runc --root /run/vz-runc run --bundle /root/\.vz/vz-check-(\w{8}) vz-check-\1; rc=\$\?; /usr/sbin/runc --root /run/vz-runc delete --force vz-check-\1 >/dev/null 2>&1; rm -rf /root/\.vz/vz-check-\1 /root/\.vz/vz-check-\1\.tar; exit \$rc$", run);
        Assert.DoesNotContain(node.Commands, x => x.Contains("podman import"));
    }

    [Fact]
    public async Task ARuncTestContainerThatFailsMakesTheNodeNotReady()
    {
        var (c, _) = await CheckAsync(RuncOnlyProbe(), new ProcessResult(1, "", "runc run failed: mount proc: permission denied\n"));
        Assert.Equal(["the test container did not run: exit 1: runc run failed: mount proc: permission denied"], c.Problems);
    }

    [Fact]
    public async Task ARootlessUserOnANodeWithRuncAndNoPodmanIsNotReady()
    {
        var (c, node) = await CheckAsync(RuncOnlyProbe(root: false), new ProcessResult(0, "vz-check-ok\n", ""));
        Assert.Equal(["no podman, and deploy is not root (runc pods run as root)"], c.Problems);
        Assert.DoesNotContain(node.Commands, x => x.Contains(" run --bundle "));
    }

    [Fact]
    public void TheTableSaysReadyForRuncPodsOnly()
    {
        var check = new NodeCheck { Node = "n1", User = "root", Runc = true, Sudo = true, Container = "ok (0.1s, runc)", ContainerRan = true, MemAvailable = 1L << 30, DiskFree = 1L << 32 };
        var table = NodeCheckSummary.Table(new FleetResult<NodeCheck>([new StepOutcome<NodeCheck>(new NodeTarget("n1", "192.0.2.5", 22, "root", []), StepStatus.Ok, check, null, 1, TimeSpan.Zero)]));
        Assert.Contains(" none (runc) ", table);
        Assert.Contains("ready (runc pods only)", table);
    }
}
