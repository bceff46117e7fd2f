using System.Text.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;

namespace Vz.Deploy.Tests.Apply;

/// <summary>Deploy's report for people and for scripts; the JSON shape is documented in the top README and kept stable.</summary>
public class DeploySummaryTests
{
    static readonly DeployReport Halted = new([
        new DeployedNode("web1", NodeOutcome.RolledBack)
        {
            Wave = 0, Canary = true, BytesSent = 469, Elapsed = TimeSpan.FromSeconds(9.1), Firewall = "firewall unchanged",
            Pods = [new PodResult("web", PodAction.RolledBack, "bbbb") { Previous = "aaaa", Detail = "unhealthy: GET / on port 8080 answered 'HTTP/1.1 404 Not Found'", Images = [new ImageSent("localhost/web:2", PushMode.Delta, 469)] }],
        },
        new DeployedNode("web2", NodeOutcome.Untouched) { Wave = 1 },
        new DeployedNode("db1", NodeOutcome.Unreachable) { Error = "cannot reach 203.0.113.20:22: No route to host (VZ3013)" },
    ]) { HaltedBy = "web1" };

    [Fact]
    public void TheJsonShapeNamesEveryNodeItsPodsAndWhatHaltedTheRollout()
    {
        using var doc = JsonDocument.Parse(DeploySummary.Json(Halted, 7));
        var root = doc.RootElement;
        Assert.Equal(["outcome", "exitCode", "haltedBy", "untouched", "nodes"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("rolled-back", 7, "web1"), (root.GetProperty("outcome").GetString(), root.GetProperty("exitCode").GetInt32(), root.GetProperty("haltedBy").GetString()));
        Assert.Equal(["web2"], root.GetProperty("untouched").EnumerateArray().Select(e => e.GetString()));
        var web1 = root.GetProperty("nodes")[0];
        Assert.Equal(["node", "outcome", "wave", "canary", "seconds", "bytesSent", "firewall", "error", "internalError", "notes", "pods"], web1.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("rolled-back", true, 9.1), (web1.GetProperty("outcome").GetString(), web1.GetProperty("canary").GetBoolean(), web1.GetProperty("seconds").GetDouble()));
        var pod = web1.GetProperty("pods")[0];
        Assert.Equal(["pod", "action", "release", "previous", "detail", "images"], pod.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("rolled-back", "bbbb", "aaaa"), (pod.GetProperty("action").GetString(), pod.GetProperty("release").GetString(), pod.GetProperty("previous").GetString()));
        Assert.Equal("delta", pod.GetProperty("images")[0].GetProperty("mode").GetString());
        Assert.Equal("unreachable", root.GetProperty("nodes")[2].GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("nodes")[2].GetProperty("wave").ValueKind);
    }

    [Fact]
    public void TheTableNamesTheRollbackTheHaltAndTheNodesLeftUntouched()
    {
        var table = DeploySummary.Table(Halted);
        var lines = table.Split('\n');
        Assert.StartsWith("NODE  RESULT       PODS", lines[0]);
        Assert.Contains("web1  rolled back  web rolled back  delta   469 B  9.1s  web: unhealthy: GET / on port 8080 answered 'HTTP/1.1 404 Not Found'", table);
        Assert.Contains("1 rolled back: web1; 1 unreachable: db1; 1 untouched: web2", table);
        Assert.Contains("rollout halted by web1; left untouched: web2", table);
        Assert.Equal(FleetOutcome.RolledBack, Halted.Outcome);
    }

    [Fact]
    public void ACountLineListsUpdatedAndUnchangedByNumberOnly()
    {
        var report = new DeployReport([new DeployedNode("a", NodeOutcome.Updated), new DeployedNode("b", NodeOutcome.Unchanged), new DeployedNode("c", NodeOutcome.Unchanged)]);
        Assert.Equal("1 updated; 2 unchanged", DeploySummary.CountLine(report));
        Assert.Equal(FleetOutcome.AllOk, report.Outcome);
    }

    [Fact]
    public void TheStatusProbeReportsTheLockHolderSoAnotherDeployNeverCallsTheNodeUnchanged()
    {
        var owner = new LockOwner("t", "alice@laptop", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), "deploy web");
        var observed = NodeStatus.Parse("n1", "salt=ab\nlock=" + owner.Render().Replace('\n', '\t') + "\n");
        Assert.Equal("alice@laptop since 2025-01-02T03:04:05Z (deploy web)", observed.LockHolder);
        Assert.Null(NodeStatus.Parse("n1", "salt=ab\n").LockHolder);
        Assert.Contains("if [ -d /root/.vz/lock ]; then echo \"lock=$(tr '\\n' '\\t' < /root/.vz/lock/owner", NodeStatus.Script(new NodeLayout("/root"), []));
    }

    [Fact]
    public void ApplyingNftablesOrIptablesRulesInstallsTheBootUnitAndFirewalldNeedsNone()
    {
        var nft = FirewallPlan.ApplyScript(FirewallBackend.Nftables, FirewallAccess.Root, "/root/.vz/firewall.sh");
        Assert.StartsWith("set -e\nsh /root/.vz/firewall.sh\ntee /etc/systemd/system/vz-firewall.service >/dev/null <<'VZ_UNIT'\n", nft);
        Assert.Contains("systemctl enable vz-firewall.service", nft);
        Assert.Contains("sudo -n tee /etc/systemd/system/vz-firewall.service", FirewallPlan.ApplyScript(FirewallBackend.Iptables, FirewallAccess.Sudo, "/home/u/.vz/firewall.sh"));
        Assert.Equal("set -e\nsh /root/.vz/firewall.sh\n", FirewallPlan.ApplyScript(FirewallBackend.Firewalld, FirewallAccess.Root, "/root/.vz/firewall.sh"));
    }
}
