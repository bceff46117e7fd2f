using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Pods;
using Vz.Deploy.Rollout;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Units;

namespace Vz.Deploy.Tests.Rollout;

public class RolloutPlanTests
{
    static readonly string[] Eight = ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"];

    static string Show(RolloutPlan p) => string.Join(" | ", p.Waves.Select(w => (w.Canary ? "canary " : "") + string.Join(",", w.Nodes)));

    [Fact]
    public void TheCanaryGoesAloneThenTheRestInBatches()
    {
        var plan = RolloutPlan.Make(Eight, _ => true, new RolloutSettings { Canary = 1, Batch = 3 });
        Assert.Equal("canary n1 | n2,n3,n4 | n5,n6,n7 | n8", Show(plan));
        Assert.Equal(["n5", "n6", "n7", "n8"], plan.UntouchedAfter(1));
    }

    [Fact]
    public void ByDefaultEverythingAfterTheCanaryGoesInOneBatch() =>
        Assert.Equal("canary n1 | n2,n3,n4,n5,n6,n7,n8", Show(RolloutPlan.Make(Eight, _ => true, new RolloutSettings())));

    [Fact]
    public void TheBatchOptionOverridesTheFleetFile() =>
        Assert.Equal("canary n1 | n2,n3 | n4,n5 | n6,n7 | n8", Show(RolloutPlan.Make(Eight, _ => true, new RolloutSettings { Batch = 5 }, batch: 2)));

    [Fact]
    public void UnchangedNodesAreSkippedAndNeverServeAsTheCanary()
    {
        var plan = RolloutPlan.Make(Eight, n => n is "n3" or "n6", new RolloutSettings());
        Assert.Equal("canary n3 | n6", Show(plan));
        Assert.Equal(["n1", "n2", "n4", "n5", "n7", "n8"], plan.Unchanged);
        Assert.Empty(RolloutPlan.Make(Eight, _ => false, new RolloutSettings()).Waves);
    }

    [Fact]
    public void WithoutACanaryTheFirstWaveIsABatch() =>
        Assert.Equal("n1,n2,n3,n4 | n5,n6,n7,n8", Show(RolloutPlan.Make(Eight, _ => true, new RolloutSettings { Canary = 0, Batch = 4 })));

    [Theory]
    [InlineData(new[] { NodeOutcome.Updated, NodeOutcome.Unchanged }, FleetOutcome.AllOk)]
    [InlineData(new[] { NodeOutcome.RolledBack, NodeOutcome.Untouched }, FleetOutcome.RolledBack)]
    [InlineData(new[] { NodeOutcome.Updated, NodeOutcome.Unreachable }, FleetOutcome.SomeFailed)]
    [InlineData(new[] { NodeOutcome.Failed, NodeOutcome.Unreachable }, FleetOutcome.AllFailed)]
    [InlineData(new[] { NodeOutcome.Updated, NodeOutcome.RolledBack, NodeOutcome.Failed }, FleetOutcome.RolledBack)]
    public void TheFleetOutcomeIsAFunctionOfTheNodes(NodeOutcome[] nodes, FleetOutcome expected) =>
        Assert.Equal(expected, RolloutOutcome.Summarize(nodes));

    [Fact]
    public void RollbacksAndFailuresHaltTheRolloutUnreachableNodesDoNot()
    {
        Assert.True(RolloutOutcome.Halts(NodeOutcome.RolledBack));
        Assert.True(RolloutOutcome.Halts(NodeOutcome.Failed));
        Assert.False(RolloutOutcome.Halts(NodeOutcome.Unreachable));
    }

    static PodManifest Limited(long mib) => Nodes.Manifest("issue9/pods/web.yaml") is var m
        ? m with { Containers = [m.Containers[0] with { Resources = new Resources(mib << 20, null, null) }] } : null!;

    [Fact]
    public void TwoPodsOf128MiBFitOnA512MBNodeAndSayTheSwitchIsStopFirstWhenBothVersionsWouldNot()
    {
        const long node = 494L << 20; // MemTotal of a 512 MB VPS
        Assert.Null(MemoryPlan.Check("n1", node, [("a", Limited(128), PodRuntime.Podman), ("b", Limited(128), PodRuntime.Podman)], "a", 64L << 20));
        var note = MemoryPlan.Check("n1", node, [("a", Limited(128), PodRuntime.Podman), ("b", Limited(128), PodRuntime.Podman)], "a", 128L << 20);
        Assert.StartsWith("a: the old version stops before the new one starts", note);
    }

    [Fact]
    public void PodsWhoseLimitsExceedTheNodeAreRefusedNamingEach()
    {
        var e = Assert.Throws<VzException>(() => MemoryPlan.Check("n1", 494L << 20, [("a", Limited(256), PodRuntime.Podman), ("b", Limited(200), PodRuntime.Runc)], "a", null));
        Assert.Equal(PodErrors.NodeTooSmall, e.Error);
        Assert.Contains("a 256 MiB + b 200 MiB", e.Message);
    }

    [Fact]
    public void TheDesiredStateChangesWithEachInputAndNotOtherwise()
    {
        var web = Nodes.Manifest("fleet/pods/web.yaml");
        var (plan, layout) = Nodes.On("debian-12", web);
        var manifest = PodManifestWriter.Render(web, layout, plan);
        var unit = UnitWriter.Write("web", plan, layout);
        KeyValuePair<string, string>[] images = [KeyValuePair.Create("localhost/web:1", new string('a', 64))];
        var secrets = DesiredState.SecretsDigest("salt1", [("db", "user", "app"u8.ToArray())]);
        var a = DesiredState.For("web", manifest, unit, images, secrets);
        Assert.Equal(a.Id, DesiredState.For("web", manifest, unit, images, secrets).Id);
        Assert.NotEqual(a.Id, DesiredState.For("web", manifest + "#", unit, images, secrets).Id);
        Assert.NotEqual(a.Id, DesiredState.For("web", manifest, unit, [KeyValuePair.Create("localhost/web:1", new string('b', 64))], secrets).Id);
        Assert.NotEqual(a.Id, DesiredState.For("web", manifest, unit, images, DesiredState.SecretsDigest("salt1", [("db", "user", "app2"u8.ToArray())])).Id);
        Assert.DoesNotContain("app", a.Render());
    }

    [Fact]
    public void TheSecretsDigestIsKeyedByTheNodesSalt()
    {
        (string, string, byte[])[] v = [("db", "password", "1234"u8.ToArray())];
        Assert.NotEqual(DesiredState.SecretsDigest("a", v), DesiredState.SecretsDigest("b", v));
        Assert.Equal("", DesiredState.SecretsDigest("a", []));
    }

    [Fact]
    public void ThePodmanSecretIsJsonOfBase64ValuesAsPodman43Reads() =>
        Assert.Equal("{\"password\":\"czNjcmV0\",\"user\":\"YXBw\"}", System.Text.Encoding.UTF8.GetString(
            DesiredState.PodmanSecretJson([("user", "app"u8.ToArray()), ("password", "s3cret"u8.ToArray())])));

    [Fact]
    public void SecretValuesAreReadFromTheirSourcesOnlyForThePodsSecrets()
    {
        using var t = new Fleet.TempFleet("fleet/build/web.oci.tar", "fleet/build/api.oci.tar", "fleet/build/api-metrics.oci.tar");
        var fleet = t.Load("fleet/vz.yaml");
        var values = DesiredState.SecretValues(fleet.File, fleet.ManifestOf("web"), new EnvOnly(LocalFleetSources.Instance, "app"));
        Assert.Equal([("db", "user", "app"), ("db", "password", "s3cret-value\n")], values.Select(v => (v.Secret, v.Key, System.Text.Encoding.UTF8.GetString(v.Value))));
        Assert.Empty(DesiredState.SecretValues(fleet.File, fleet.ManifestOf("api"), LocalFleetSources.Instance));
    }

    sealed class EnvOnly(IFleetSources files, string user) : IFleetSources
    {
        public string? ReadText(string path) => files.ReadText(path);
        public bool Exists(string path) => files.Exists(path);
        public string? Environment(string name) => name == "VZ_TEST_DB_USER" ? user : null;
    }
}
