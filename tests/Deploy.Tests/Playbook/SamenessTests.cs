using System.Globalization;
using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Playbook;
using Vz.Deploy.Pods;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Transport;
using Vz.Deploy.Units;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>
/// The design rule of the playbook: filled in with a node's values, each template of the role is
/// the text vzbuild deploy renders for that node. Checked for the distribution families of
/// fixtures/pods/facts: the variant is the one the role picks from the same facts (tasks/node.yml),
/// the values are what the role fills in (the probe's home and podman path, the release's digests).
/// </summary>
public sealed class SamenessTests : IDisposable
{
    readonly GeneratedFleet fleet = new();

    const string Id = "0123456789abcdef";
    const string From = "fedcba9876543210";
    const string Who = "alice@laptop";
    static readonly DateTimeOffset When = new(2025, 6, 7, 8, 9, 10, TimeSpan.Zero);
    static readonly string WhenText = When.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public void Dispose() => fleet.Dispose();

    /// <summary>The variant tasks/node.yml picks: Quadlet from the settings group's version on (a rootless user's from 5.3), root or not.</summary>
    static RoleVariant VariantFor(NodeFacts f) =>
        new(0, f.Quadlet && f.Podman >= PlatformDecisions.QuadletKubeKeySince[f.Rootless ? "DefaultDependencies" : "LogDriver"] ? UnitKind.QuadletKube : UnitKind.PodmanKubeService, f.Rootless);

    static Dictionary<string, string> Values(NodeFacts f) => new()
    {
        ["vz_home"] = f.Home,
        ["vz_podman_path"] = f.PodmanPath,
        ["vz_release_id"] = Id,
        ["vz_who_word"] = Who,
        ["vz_now"] = WhenText,
        ["vz_lock_token"] = "00112233aabbccdd",
        ["vz_lock_what"] = "deploy web,api",
    };

    static string Fill(string template, Dictionary<string, string> values, params (string, string)[] more)
    {
        var all = new Dictionary<string, string>(values);
        foreach (var (k, v) in more)
            all[k] = v;
        return JinjaText.Fill(template, all);
    }

    [Theory]
    [InlineData("debian-12")]
    [InlineData("debian-12-rootless")]
    [InlineData("debian-13")]
    [InlineData("rocky-8")]
    [InlineData("rocky-9")]
    public void EachPodsFilesAndScriptsAreWhatDeployRendersForTheNode(string factsName)
    {
        var facts = Nodes.Facts(factsName);
        var settings = new NodeSettings();
        var layout = NodeLayout.For(facts, settings);
        var variant = VariantFor(facts);
        var values = Values(facts);
        var compared = 0;
        foreach (var (entry, manifest) in fleet.Fleet.Fleet.Pods)
        {
            var pod = entry.Name;
            PlatformPlan plan;
            try
            {
                plan = PlatformDecisions.Decide(facts, settings, entry, manifest, factsName);
            }
            catch (VzException)
            {
                // Refused here; the role refuses the node too (the variant's refusal, or its own checks).
                continue;
            }
            var dir = $"pods/{pod}/{variant.Name}";
            Assert.True(fleet.Has($"{dir}/unit.j2"), $"{factsName}: no variant {variant.Name} for {pod}");

            var manifestText = PodManifestWriter.Render(manifest, layout, plan);
            Assert.Equal(manifestText, Fill(fleet.Template($"pods/{pod}/pod{(plan.RelabelVolumes ? ".selinux" : "")}.yaml.j2"), values));
            var unit = UnitWriter.Write(pod, plan, layout);
            Assert.Equal(unit, Fill(fleet.Template($"{dir}/unit.j2"), values));
            var restore = PodScripts.RestoreScript(layout, plan, pod, manifest.SecretNames);
            Assert.Equal(restore, Fill(fleet.Template($"{dir}/restore.sh.j2"), values));
            Assert.Equal(NodeStatus.Script(layout, [new NodeStatus.PodQuery(pod, plan, manifest.Images)]), Fill(fleet.Template($"{dir}/status.sh.j2"), values));
            Assert.Equal(PodScripts.DeadmanArm(layout, plan, pod, null, Id, entry.Deadman), Fill(fleet.Template($"{dir}/arm.sh.j2"), values, ("vz_from_word", "''")));
            Assert.Equal(PodScripts.DeadmanArm(layout, plan, pod, From, Id, entry.Deadman), Fill(fleet.Template($"{dir}/arm.sh.j2"), values, ("vz_from_word", From)));
            // The role enables linger in a task of its own before the switch.
            Assert.Equal(PodScripts.Switch(layout, plan with { NeedsLinger = false }, pod, Id), Fill(fleet.Template($"{dir}/switch.sh.j2"), values));
            Assert.Equal(PodScripts.HealthCheck(plan, pod, entry.Health, "127.0.0.1", PlaybookGenerator.SettleSeconds),
                Fill(fleet.Template($"{dir}/health-{plan.HealthShell}.sh.j2"), values));
            Assert.Equal(PodScripts.HealthCheck(plan, pod, entry.Health, "127.0.0.1", PlaybookGenerator.SettleSeconds, "4d7b1c0e9f2a4b3c8d6e5f4a3b2c1d0e"),
                Fill(fleet.Template($"{dir}/health-switch-{plan.HealthShell}.sh.j2"), values, ("vz_invocation_word", "4d7b1c0e9f2a4b3c8d6e5f4a3b2c1d0e")));
            Assert.Equal(PodScripts.HealthCheck(plan, pod, entry.Health, "127.0.0.1", PlaybookGenerator.SettleSeconds, ""),
                Fill(fleet.Template($"{dir}/health-switch-{plan.HealthShell}.sh.j2"), values, ("vz_invocation_word", "''")));
            Assert.Equal(PodScripts.Confirm(layout, plan, pod, Id, new HistoryEntry(When, pod, HistoryEvent.Deploy, Id, Who, "")),
                Fill(fleet.Template($"{dir}/confirm.sh.j2"), values, ("vz_event", "deploy"), ("vz_detail", "")));
            Assert.Equal(PodScripts.Confirm(layout, plan, pod, Id, new HistoryEntry(When, pod, HistoryEvent.Update, Id, Who, $"from {From}")),
                Fill(fleet.Template($"{dir}/confirm.sh.j2"), values, ("vz_event", "update"), ("vz_detail", $"from {From}")));

            var shas = new[] { DesiredState.Sha256(manifestText), DesiredState.Sha256(unit), new string('7', 64), DesiredState.Sha256(restore) };
            Assert.Equal(PodScripts.Prepare(layout, pod, Id), Fill(fleet.Template($"pods/{pod}/prepare.sh.j2"), values));
            Assert.Equal(Vz.Deploy.Apply.NodeRepair.PrepareScript(layout, plan, [], [(pod, Id, [("pod.yaml", shas[0]), ("unit", shas[1]), ("restore.sh", shas[3])])]),
                Fill(fleet.Template($"{dir}/repair.sh.j2"), values, ("vz_sha_manifest", shas[0]), ("vz_sha_unit", shas[1]), ("vz_sha_restore", shas[3])));
            Assert.Equal(PodScripts.InstallRelease(layout, pod, Id,
                    [KeyValuePair.Create("pod.yaml", shas[0]), KeyValuePair.Create("unit", shas[1]), KeyValuePair.Create("release", shas[2]), KeyValuePair.Create("restore.sh", shas[3])]),
                Fill(fleet.Template($"pods/{pod}/install.sh.j2"), values,
                    ("vz_sha_manifest", shas[0]), ("vz_sha_unit", shas[1]), ("vz_sha_record", shas[2]), ("vz_sha_restore", shas[3])));

            var hmac = manifest.SecretNames.Count > 0 ? DesiredState.SecretsDigest("salt", [("db", "user", "app"u8.ToArray())]) : "";
            var record = DesiredState.For(pod, manifestText, unit, entry.Images.Select(i => KeyValuePair.Create(i.Image, fleet.Images[i.Archive].Sha256)), hmac)
                with { Who = Who, When = When };
            var recordValues = new[] { ("vz_sha_manifest", shas[0]), ("vz_sha_unit", shas[1]), ("vz_secrets_hmac", hmac), ("vz_release_digest", record.Digest) };
            Assert.Equal(record.Content(), Fill(fleet.Template($"pods/{pod}/release-content.j2"), values, recordValues));
            Assert.Equal(record.Render(), Fill(fleet.Template($"pods/{pod}/release.j2"), values, recordValues));
            compared++;
        }
        Assert.True(compared > 0, $"{factsName}: every pod was refused");
    }

    [Theory]
    [InlineData("debian-12")]
    [InlineData("debian-12-rootless")]
    public void TheNodesLockSaltAndFirewallFilesAreWhatDeployRendersForTheNode(string factsName)
    {
        var facts = Nodes.Facts(factsName);
        var layout = NodeLayout.For(facts, new NodeSettings());
        var values = Values(facts);
        var owner = new LockOwner("00112233aabbccdd", Who, When, "deploy web,api");
        Assert.Equal(PodScripts.LockTake(layout, owner, 30), Fill(fleet.Template("node/lock.sh.j2"), values));
        Assert.Equal(PodScripts.LockRelease(layout, "00112233aabbccdd"), Fill(fleet.Template("node/unlock.sh.j2"), values));
        Assert.Equal(PodScripts.Salt(layout), Fill(fleet.Template("node/salt.sh.j2"), values));
        Assert.Equal(FirewallPlan.BootUnit(layout.FirewallScript), Fill(fleet.Template("firewall/vz-firewall.service.j2"), values));

        // web1 runs web and api; web2 web; api1 api: a port set each.
        var sets = fleet.Fleet.Nodes.Select(n => FirewallPlan.Desired(n.AllPods.Select(fleet.Fleet.Fleet.ManifestOf))).DistinctBy(PlaybookGenerator.PortKey).ToList();
        Assert.Equal(3, sets.Count);
        foreach (var (ports, j) in sets.Select((p, j) => (p, j)))
            foreach (var backend in new[] { FirewallBackend.Firewalld, FirewallBackend.Nftables, FirewallBackend.Iptables })
                Assert.Equal(FirewallPlan.EnforceScript(backend, ports), Fill(fleet.Template($"firewall/f{j}/{PlaybookGenerator.BackendName(backend)}.sh.j2"), values));
    }

    [Fact]
    public void TheImageScriptsRunPushsOwnCommandsWithTheNodesValues()
    {
        var facts = Nodes.Facts("debian-12");
        var values = Values(facts);
        var sha = new string('a', 64);
        var image = new[] { ("vz_image.sha256", sha), ("vz_image.store", "web") };
        var dir = "/root/.vz/images/web";
        var final = $"{dir}/{NodeScripts.ArchiveFile(sha)}";
        var install = Fill(fleet.Template("images/s0/install.sh.j2"), values, image);
        Assert.Contains(NodeScripts.Decompress(PushMode.FullGzip, $"{dir}/.incoming/{sha}.tar.gz.part", $"{dir}/.incoming/{sha}.decoded.part"), install);
        Assert.Contains(NodeScripts.Move($"{dir}/.incoming/{sha}.decoded.part", final), install);
        Assert.Contains(NodeScripts.Load(new NodeSettings(), final), install);
        Assert.Contains(NodeScripts.Commit(dir, sha), install);
        Assert.Contains(NodeScripts.Commit(dir, sha), Fill(fleet.Template("images/s0/kept.sh.j2"), values, image));
        Assert.Equal(NodeScripts.Probe(NodeSettings.DefaultStore, "web") + "\n", Fill(fleet.Template("images/s0/probe.sh.j2"), values, image));
    }
}
