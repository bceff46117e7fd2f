using Vz.Deploy.Firewall;
using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Transport;
using Vz.Integration.Tests.Infra;
using Vz.Tests;

namespace Vz.Integration.Tests.Deploy;

/// <summary>
/// Every script deploy sends to a node parses in the shells nodes have: sh (dash on Debian),
/// bash, and dash by name. Rendered for a captured Debian 12 node and a composed rootless Rocky 9
/// one (user units, linger off, sudo, firewalld), so both branches of each generator are read.
/// </summary>
public sealed class GeneratedScriptsTests
{
    public static TheoryData<string> Facts => new() { "debian-12-node-captured", "debian-13-node-captured", "rocky-9" };

    static IEnumerable<(string Name, string Text)> Scripts(string factsName)
    {
        var facts = NodeFacts.Parse(File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "facts", factsName + ".txt")), "n1");
        if (facts.Rootless)
            facts = facts with { Linger = false }; // so the switch's linger line (logind, else sudo) is read too
        var manifest = PodManifestReader.Parse(File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "issue9", "pods", "web.yaml")), "web.yaml");
        var entry = new PodEntry
        {
            Name = "web", Manifest = "/f/pods/web.yaml", ManifestAsWritten = "pods/web.yaml", Groups = ["web"], Images = [],
            Health = new HealthSpec(new HttpProbe(8080, "/it's", 1), TimeSpan.FromSeconds(60)),
        };
        var settings = new NodeSettings { Env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = "/etc/vz/containers conf" } };
        var plan = PlatformDecisions.Decide(facts, settings, entry, manifest, "n1");
        var layout = NodeLayout.For(facts, settings);
        var owner = new LockOwner("t0k3n", "o'brien@laptop", DateTimeOffset.UnixEpoch, "deploy web");
        var history = new HistoryEntry(DateTimeOffset.UnixEpoch, "web", HistoryEvent.Update, "bbbb", "o'brien", "from aaaa");
        var desired = new SortedSet<FirewallPort> { new(8080, PortProtocol.Tcp), new(53, PortProtocol.Udp) };
        yield return ("probe", NodeFacts.Probe);
        yield return ("lock-take", PodScripts.LockTake(layout, owner, 60));
        yield return ("lock-release", PodScripts.LockRelease(layout, "t0k3n"));
        yield return ("lock-break", PodScripts.LockBreak(layout));
        yield return ("salt", PodScripts.Salt(layout));
        yield return ("prepare", PodScripts.Prepare(layout, "web", "bbbb"));
        yield return ("install-release", PodScripts.InstallRelease(layout, "web", "bbbb", [KeyValuePair.Create("pod.yaml", "aa")]));
        yield return ("install-secret", PodScripts.InstallSecret(layout, plan, "web", "db", [("password", layout.SecretsIncoming + "/x")], 1000, 1000, layout.SecretsIncoming + "/y.json"));
        yield return ("deadman-arm", PodScripts.DeadmanArm(layout, plan, "web", "aaaa", "bbbb", TimeSpan.FromMinutes(4)));
        yield return ("switch", PodScripts.Switch(layout, plan, "web", "bbbb"));
        yield return ("wait-started", PodScripts.WaitStarted(plan, "0123", 15));
        yield return ("health-bash", PodScripts.HealthCheck(plan, "web", entry.Health, "127.0.0.1", 5, "0123"));
        yield return ("health-python", PodScripts.HealthCheck(plan with { HealthShell = "python3" }, "web", entry.Health, "127.0.0.1"));
        yield return ("health-tcp", PodScripts.HealthCheck(plan, "web", new HealthSpec(new TcpProbe(5432, 1), TimeSpan.FromSeconds(9)), "127.0.0.1"));
        yield return ("confirm", PodScripts.Confirm(layout, plan, "web", "bbbb", history));
        yield return ("restore", PodScripts.RestoreScript(layout, plan, "web", ["db", "it's"]));
        yield return ("remove", PodScripts.Remove(layout, "web", "no longer placed on n1", "o'brien@laptop"));
        yield return ("image-list", PodScripts.ImageList(layout, plan));
        yield return ("image-remove", PodScripts.ImageRemove(plan, ["localhost/web:1", "localhost/it's:2"]));
        yield return ("status", Vz.Deploy.Drift.NodeStatus.Script(layout, [new("web", plan, ["localhost/web:1"])]));
        // runc pods (issue 13) run as root only.
        if (!facts.Rootless)
        {
            var runcManifest = PodManifestReader.Parse(File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "runc", "web.yaml")), "web.yaml");
            var runc = PlatformDecisions.Decide(facts, settings, entry with { Runtime = PodRuntime.Runc }, runcManifest, "n1");
            var unpack = new Vz.Deploy.Runc.UnpackPlan([new("blobs/sha256/aa", Vz.Deploy.Runc.LayerCompression.Gzip, ["etc/it's"], ["var/cache"])], Xattrs: true);
            yield return ("runc-unpack", Vz.Deploy.Runc.RuncScripts.Unpack(layout, "localhost/web:1", new string('a', 64), unpack));
            yield return ("runc-volumes", Vz.Deploy.Runc.RuncScripts.Volumes(layout, runcManifest, 1000, 1000));
            yield return ("runc-confirm", PodScripts.Confirm(layout, runc, "web", "bbbb", history));
            yield return ("runc-restore", PodScripts.RestoreScript(layout, runc, "web", []));
            yield return ("runc-health", PodScripts.HealthCheck(runc, "web", entry.Health, "127.0.0.1", 5, "0123"));
            yield return ("runc-status", Vz.Deploy.Drift.NodeStatus.Script(layout, [new("web", runc, ["localhost/web:1"])], detail: true));
            yield return ("runc-node-check", Vz.Deploy.Provision.NodeChecker.RuncRunScript(facts.RuncPath, layout.Home, layout.Root + "/vz-check-1.tar", "0a1b2c3d"));
        }
        foreach (var backend in new[] { FirewallBackend.Firewalld, FirewallBackend.Nftables, FirewallBackend.Iptables })
        {
            yield return ($"firewall-list-{backend}", FirewallPlan.ListScript(backend, plan.FirewallAccess));
            yield return ($"firewall-{backend}", FirewallPlan.EnforceScript(backend, desired));
            yield return ($"firewall-apply-{backend}", FirewallPlan.ApplyScript(backend, plan.FirewallAccess, layout.FirewallScript));
        }
    }

    [Theory]
    [MemberData(nameof(Facts))]
    public void EveryNodeScriptParsesInShBashAndDash(string facts)
    {
        using var dir = new ScratchDir("deploy-scripts");
        var bad = new List<string>();
        foreach (var (name, text) in Scripts(facts))
        {
            var file = dir.Write(name + ".sh", text);
            foreach (var shell in new[] { "sh", "bash", "dash" })
            {
                var r = ProcessRunner.Run(new ProcessSpec(shell, ["-n", file]));
                if (!r.Ok)
                    bad.Add($"{name} ({shell}): {r.StdErr.Trim()}");
            }
        }
        Assert.Empty(bad);
    }
}
