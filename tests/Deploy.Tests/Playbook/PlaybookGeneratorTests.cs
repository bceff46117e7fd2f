using Vz.Deploy.Apply;
using Vz.Deploy.Fleet;
using Vz.Deploy.Playbook;
using Vz.Deploy.Ssh;
using Vz.Deploy.Tests.Fleet;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>What the generator refuses, and how node settings and refusals become variants.</summary>
public sealed class PlaybookGeneratorTests : IDisposable
{
    readonly TempFleet temp = new("issue9/build/web.oci.tar");

    public void Dispose() => temp.Dispose();

    LoadedFleet Load(Func<string, string>? fleet = null, Func<string, string>? inventory = null, Func<string, string>? manifest = null)
    {
        void Edit(string file, Func<string, string>? edit)
        {
            if (edit is not null)
                File.WriteAllText(temp.PathOf(file), edit(File.ReadAllText(temp.PathOf(file))));
        }
        Edit("issue9/vz.yaml", fleet);
        Edit("issue9/hosts.ini", inventory);
        Edit("issue9/pods/web.yaml", manifest);
        return FleetLoader.Load(temp.PathOf("issue9/vz.yaml"), null, null, new SshOptions { ConfigFile = "/dev/null" });
    }

    static Dictionary<string, PlaybookImage> Images(LoadedFleet fleet, string? holds = null) =>
        fleet.File.Pods.SelectMany(p => p.Images).ToDictionary(i => i.Archive,
            i => new PlaybookImage(holds ?? i.Image, i.Archive, new string('1', 64), 10, new string('2', 64)));

    static string Vars(GeneratedPlaybook p) => p.Text($"{PlaybookGenerator.Role}/vars/main.yml");

    [Fact]
    public void ARuncPodIsRefusedNamingTheFleetFileLine()
    {
        var fleet = Load(fleet: t => t.Replace("    health:", "    runtime: runc\n    health:"));
        var e = Assert.Throws<VzException>(() => PlaybookGenerator.Generate(fleet, Images(fleet)));
        Assert.Equal(PlaybookErrors.RuncPod, e.Error);
        Assert.Contains("vz.yaml:3: pod web: runtime: runc", e.Message);
    }

    [Fact]
    public void AnArchiveHoldingAnotherImageIsRefusedAsDeployRefusesIt()
    {
        var fleet = Load();
        var e = Assert.Throws<VzException>(() => PlaybookGenerator.Generate(fleet, Images(fleet, holds: "localhost/other:1")));
        Assert.Equal("VZ4107", e.Code);
        Assert.Contains("build/web.oci.tar holds localhost/other:1, not localhost/web:1", e.Message);
    }

    [Fact]
    public void ANodeSettingRootlessPodmanCannotEnforceMemoryWithRefusesOnlyTheRootlessVariantsOfItsGroup()
    {
        var fleet = Load(inventory: t => t.Replace("web2 ansible_host=203.0.113.11 ansible_user=deploy",
            "web2 ansible_host=203.0.113.11 ansible_user=deploy vz_cgroup_manager=cgroupfs"));
        var p = PlaybookGenerator.Generate(fleet, Images(fleet));
        var vars = Vars(p);
        Assert.True(vars.Contains("        s1-own-user:\n          refused: \"VZ4202: pod web: the pod limits memory, and rootless podman with cgroup_manager cgroupfs cannot"), vars);
        Assert.Contains("        s1-own-root:\n          refused: \"\"\n", vars);
        Assert.Contains("        s0-own-user:\n          refused: \"\"\n", vars);
        Assert.DoesNotContain(p.Files, f => f.Path.Contains("/pods/web/s1-own-user/", StringComparison.Ordinal));
        Assert.Contains(p.Files, f => f.Path.EndsWith("/pods/web/s1-own-root/unit.j2", StringComparison.Ordinal));
    }

    [Fact]
    public void HostsWithTheirOwnNodeSettingsGetAVariantGroupOfTheirOwn()
    {
        var fleet = Load(inventory: t => t.Replace("web2 ansible_host=203.0.113.11 ansible_user=deploy",
            "web2 ansible_host=203.0.113.11 ansible_user=deploy vz_runtime=runc vz_env_CONTAINERS_CONF=/etc/vz/containers.conf"));
        var p = PlaybookGenerator.Generate(fleet, Images(fleet));
        var vars = Vars(p);
        // A rootless user's Quadlet unit needs [Quadlet] DefaultDependencies= (5.3), whatever the settings.
        Assert.Contains("    \"store=~/.vz/images;runtime=;cgroup=;env=\":\n      name: \"s0\"\n      quadlet_since: \"4.6\"\n      quadlet_since_user: \"5.3\"\n", vars);
        Assert.Contains("    \"store=~/.vz/images;runtime=runc;cgroup=;env=CONTAINERS_CONF=/etc/vz/containers.conf\":\n      name: \"s1\"\n      quadlet_since: \"4.9\"\n      quadlet_since_user: \"5.3\"\n", vars);
        var unit = p.Text($"{PlaybookGenerator.Templates}/pods/web/s1-quadlet-root/unit.j2");
        Assert.Contains("GlobalArgs=--runtime runc\n", unit);
        Assert.Contains("Environment=CONTAINERS_CONF=/etc/vz/containers.conf\n", unit);
        Assert.DoesNotContain("GlobalArgs", p.Text($"{PlaybookGenerator.Templates}/pods/web/s0-quadlet-root/unit.j2"));
        Assert.Contains("podman --runtime runc load", p.Text($"{PlaybookGenerator.Templates}/images/s1/install.sh.j2"));
    }

    [Fact]
    public void TheSettingsKeyListsStoreRuntimeCgroupManagerAndEnvInOrdinalOrder() =>
        Assert.Equal("store=/srv/vz;runtime=crun;cgroup=cgroupfs;env=A=1;b=2",
            SettingsGroups.Key(new NodeSettings
            {
                Store = "/srv/vz", Runtime = "crun", CgroupManager = "cgroupfs",
                Env = new Dictionary<string, string> { ["b"] = "2", ["A"] = "1" },
            }));

    [Fact]
    public void NoCanaryMeansBatchesFromTheStartAndNoBatchMeansAllTheRest()
    {
        var fleet = Load(fleet: t => t + "rollout:\n  canary: 0\n");
        Assert.Contains("  serial: \"100%\"\n", PlaybookGenerator.Generate(fleet, Images(fleet)).Text("deploy.yaml"));
        fleet = Load(fleet: t => t.Replace("canary: 0", "canary: 2\n  batch: 3"));
        Assert.Contains("  serial:\n    - 2\n    - 3\n", PlaybookGenerator.Generate(fleet, Images(fleet)).Text("deploy.yaml"));
    }
}
