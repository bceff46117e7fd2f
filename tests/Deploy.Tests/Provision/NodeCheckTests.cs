using System.Text;
using Vz.Deploy.Platform;
using Vz.Deploy.Provision;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Deploy.Tests.Provision;

/// <summary>node check's verdict from what a node answers, with the node played by a script of answers.</summary>
public class NodeCheckTests
{
    /// <summary>The probe's output from a trixie node after node add, as its deploy user (fixtures/node-add).</summary>
    static string Trixie => File.ReadAllText(RepoRoot.Combine("fixtures", "node-add", "node-check-probe.trixie-deploy.txt"));

    /// <summary>A node that answers the probe with <paramref name="probe"/> and the test container's run with <paramref name="run"/>.</summary>
    sealed class ScriptedNode(string probe, ProcessResult run) : INodeConnector, INodeTransport
    {
        public byte[]? Uploaded;
        public string? UploadedTo;
        public List<string> Commands { get; } = [];

        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) => Task.FromResult<INodeTransport>(this);

        public Task<ProcessResult> ExecAsync(string command, CancellationToken ct)
        {
            Commands.Add(command);
            return Task.FromResult(command.StartsWith(NodeFacts.Probe, StringComparison.Ordinal) ? new ProcessResult(0, probe, "")
                : command.Contains(" import -q ") ? run
                : new ProcessResult(0, "", ""));
        }

        public async Task UploadAsync(Stream source, string remotePath, long remoteOffset, Action<long>? progress, CancellationToken ct)
        {
            using var copy = new MemoryStream();
            await source.CopyToAsync(copy, ct);
            (Uploaded, UploadedTo) = (copy.ToArray(), remotePath);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    static readonly ProcessResult Ran = new(0, "vz-check-ok\n", "");

    static async Task<(NodeCheck Check, ScriptedNode Node)> CheckAsync(string probe, ProcessResult? run = null)
    {
        var node = new ScriptedNode(probe, run ?? Ran);
        var result = await new NodeChecker(node, new CollectingReporter(), new FleetOptions { Retries = 0 })
            .CheckAsync([new NodeTarget("n1", "192.0.2.5", 22, "deploy", [])], CancellationToken.None);
        return (result.Nodes[0].Value!, node);
    }

    [Fact]
    public async Task ANodeAfterNodeAddIsReady()
    {
        var (c, node) = await CheckAsync(Trixie);
        Assert.True(c.Ready, string.Join("; ", c.Problems));
        Assert.Equal(("deploy", "Debian GNU/Linux 13 (trixie)", true, new Version(5, 4, 2), true), (c.User, c.Os, c.Sudo, c.Podman, c.Quadlet));
        Assert.Equal(("xdelta3", CgroupMode.Hybrid, FirewallBackend.Nftables), (c.Delta, c.Cgroup, c.Firewall));
        Assert.True(c.ContainerRan);
        Assert.StartsWith("ok (", c.Container);
        Assert.Equal((810892L * 1024, 23731900L * 1024), (c.DiskFree, c.MemAvailable));
        Assert.Empty(c.Leftovers);
        Assert.StartsWith("/home/deploy/.vz/vz-check-", node.UploadedTo);
    }

    [Fact]
    public async Task TheTestContainerIsImportedFromATarOfTheCheckExecutableAndRemovedAfterwards()
    {
        var (_, node) = await CheckAsync(Trixie);
        var tar = node.Uploaded!;
        Assert.Equal("vz-check", Encoding.ASCII.GetString(tar, 0, 8));
        Assert.Equal("0000755", Encoding.ASCII.GetString(tar, 100, 7));
        Assert.Equal(CheckImage.Executable("x86_64"), tar.AsSpan(512, 165).ToArray());
        var run = node.Commands.Single(c => c.Contains(" import -q "));
        Assert.Matches(@"^podman import -q /home/deploy/\.vz/vz-check-(\w{8})\.tar localhost/vz-check:\1 >/dev/null && podman run --rm --name vz-check-\1 localhost/vz-check:\1 /vz-check; rc=\$\?; podman rmi -f localhost/vz-check:\1 >/dev/null 2>&1; rm -f /home/deploy/\.vz/vz-check-\1\.tar; exit \$rc$", run);
    }

    [Fact]
    public void TheNodesPodmanSettingsAreUsedForTheTestContainer()
    {
        var settings = new NodeSettings { Runtime = "runc", CgroupManager = "cgroupfs", Env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = "/etc/vz.conf" } };
        Assert.StartsWith("env CONTAINERS_CONF=/etc/vz.conf podman --runtime runc --cgroup-manager cgroupfs import -q ", NodeChecker.RunScript(settings, "/h/t.tar", "ab"));
    }

    [Fact]
    public async Task AContainerThatCannotRunMakesTheNodeNotReadyNamingWhy()
    {
        var (c, _) = await CheckAsync(Trixie, new ProcessResult(126, "", "Error: crun: mount `proc` to `proc`: Operation not permitted: OCI permission denied\n"));
        Assert.False(c.Ready);
        Assert.Equal(["the test container did not run: exit 126: Error: crun: mount `proc` to `proc`: Operation not permitted: OCI permission denied"], c.Problems);
    }

    [Fact]
    public async Task WithoutPodmanNoContainerIsTried()
    {
        var (c, node) = await CheckAsync(string.Join('\n', Trixie.Split('\n').Where(l => !l.StartsWith("podman") && !l.StartsWith("quadlet"))));
        Assert.Equal(["no podman"], c.Problems);
        Assert.Null(node.Uploaded);
        Assert.Equal("no podman", c.Container);
    }

    [Fact]
    public async Task ARootlessUserWithoutSudoOrLingerIsNotReady()
    {
        var (c, _) = await CheckAsync(Trixie.Replace("linger=1\n", "").Replace("sudo=1\n", ""));
        Assert.Equal(["deploy has no passwordless sudo", "linger is off for deploy (its pods would stop at logout and not start at boot)"], c.Problems);
    }

    [Fact]
    public async Task AnOldPodmanAndLittleDiskAreProblems()
    {
        var (c, _) = await CheckAsync(Trixie.Replace("podman=5.4.2", "podman=3.4.4").Replace("disk_free_kb=810892", "disk_free_kb=102400"));
        Assert.Equal(["podman 3.4.4 is older than 4.3", "100 MiB disk free"], c.Problems);
    }

    [Fact]
    public async Task AnythingOfVzsLeftRunningIsNamed()
    {
        var (c, _) = await CheckAsync(Trixie + "left=vzpatch running\nleft=dead-man vz-deadman-web.timer\n");
        Assert.Equal(["vzpatch running", "dead-man vz-deadman-web.timer"], c.Leftovers);
        Assert.Equal(["left over: vzpatch running, dead-man vz-deadman-web.timer"], c.Problems);
    }

    [Fact]
    public async Task NoDeltaToolIsANoteNotAProblem()
    {
        var (c, _) = await CheckAsync(Trixie.Replace("xdelta3=1\n", ""));
        Assert.True(c.Ready);
        Assert.Equal("none", c.Delta);
        Assert.Single(c.Notes);
    }

    [Fact]
    public async Task TheTableHasARowPerNodeAndTheCountsAndTheJsonSaysTheSame()
    {
        var ready = await CheckAsync(Trixie);
        var outcome = new StepOutcome<NodeCheck>(new NodeTarget("n1", "h", 22, "deploy", []), StepStatus.Ok, ready.Check, null, 1, TimeSpan.Zero);
        var lost = new StepOutcome<NodeCheck>(new NodeTarget("n2", "h2", 22, "deploy", []), StepStatus.Failed, null, "cannot reach h2:22: No route to host (VZ3013)", 3, TimeSpan.Zero);
        var result = new FleetResult<NodeCheck>([outcome, lost]);

        var table = NodeCheckSummary.Table(result).Split('\n');
        Assert.StartsWith("NODE  KEY LOGIN  SUDO  PODMAN          TEST CONTAINER", table[0]);
        Assert.Matches(@"^n1 +deploy ok +yes +5\.4\.2 \+quadlet +ok \(\d\.\ds\) +xdelta3 +hybrid +nftables .* none +ready$", table[1]);
        Assert.Matches(@"^n2 +FAILED .* NOT READY: cannot reach h2:22: No route to host \(VZ3013\)$", table[2]);
        Assert.Equal("1 ready, 1 not ready: n2", table[3]);

        var json = System.Text.Json.JsonDocument.Parse(NodeCheckSummary.Json(result)).RootElement;
        Assert.Equal((1, 1), (json.GetProperty("ready").GetInt32(), json.GetProperty("notReady").GetInt32()));
        Assert.Equal("5.4.2", json.GetProperty("nodes")[0].GetProperty("podman").GetString());
        Assert.Equal("nftables", json.GetProperty("nodes")[0].GetProperty("firewall").GetString());
        Assert.Equal(["cannot reach h2:22: No route to host (VZ3013)"], json.GetProperty("nodes")[1].GetProperty("problems").EnumerateArray().Select(e => e.GetString()));
    }
}
