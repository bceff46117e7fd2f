using Vz.Deploy.Fleet;
using Vz.Deploy.Inventory;
using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Tests.Fleet;

public class FleetFileTests
{
    const string FleetArchives = "fleet/build/web.oci.tar,fleet/build/api.oci.tar,fleet/build/api-metrics.oci.tar";

    static TempFleet WithFleetArchives() => new(FleetArchives.Split(','));

    [Fact]
    public void TheFleetFileOfIssue9LoadsAsWritten()
    {
        using var t = new TempFleet("issue9/build/web.oci.tar");
        var fleet = t.Load("issue9/vz.yaml");
        var pod = Assert.Single(fleet.File.Pods);
        Assert.Equal("web", pod.Name);
        Assert.Equal(["web"], pod.Groups);
        Assert.Equal(t.PathOf("issue9/pods/web.yaml"), pod.Manifest);
        Assert.Equal(new ImageArchiveRef("localhost/web:1", t.PathOf("issue9/build/web.oci.tar"), 7), pod.Images.Single());
        Assert.Equal(new HealthSpec(new HttpProbe(8080, "/", 9), TimeSpan.FromSeconds(60)), pod.Health);
        Assert.Equal(TimeSpan.FromSeconds(330), pod.Deadman);
        Assert.Equal(t.PathOf("issue9/hosts.ini"), fleet.File.Inventory);
        Assert.Equal(new RolloutSettings(), fleet.File.Rollout);
        Assert.Equal("web", fleet.ManifestOf("web").Name);
    }

    [Fact]
    public void EveryKeyOfTheFullFleetFileIsRead()
    {
        using var t = WithFleetArchives();
        var fleet = t.Load("fleet/vz.yaml");
        Assert.Equal(new RolloutSettings { Canary = 1, Batch = 2, LockWait = TimeSpan.FromSeconds(30) }, fleet.File.Rollout);
        var db = fleet.File.Secret("db")!;
        Assert.Equal(new EnvSecret("VZ_TEST_DB_USER"), db.Key("user")!.Source);
        Assert.Equal(new FileSecret(t.PathOf("secrets/db-password"), "../secrets/db-password"), db.Key("password")!.Source);
        var (web, api) = (fleet.File.Pods[0], fleet.File.Pods[1]);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(45)), (web.Deadman, web.Health.Timeout));
        Assert.Equal(new TcpProbe(9090, 29), api.Health.Probe);
        Assert.Equal(["localhost/api:7", "localhost/api-metrics:7"], api.Images.Select(i => i.Image));
        Assert.Empty(fleet.Notes);
    }

    [Fact]
    public void EveryMistakeInTheFleetFileIsReportedWithItsLine()
    {
        using var t = new TempFleet();
        var e = Assert.Throws<InvalidInputException>(() => t.Parse("fleet/broken.vz.yaml"));
        Assert.Equal(
        [
            "broken.vz.yaml:2: inventory: '../hosts.ini' leaves the fleet file's directory (" + t.PathOf("fleet") + ")",
            "broken.vz.yaml:4: pods[0].images: required",
            "broken.vz.yaml:7: pods[0].image: unknown key (did you mean 'images'?)",
            "broken.vz.yaml:11: pods[0].health.timeout: 'soon' is not a duration of at least 1s (e.g. 60s, 2m)",
            "broken.vz.yaml:13: pods[1].manifest: '/etc/passwd' is absolute: write it relative to the fleet file's directory",
            "broken.vz.yaml:18: secrets.db.user: expected file: PATH or env: VARIABLE (where the value comes from on this machine)",
            "broken.vz.yaml:18: secrets.db.user.value: a secret's value never goes in the fleet file (it would end up in the repository): use file: or env:",
        ], e.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void NamesThatDoNotMatchWhatTheyPointAtAreReportedBeforeAnyNodeIsTouched()
    {
        using var t = WithFleetArchives();
        var e = Assert.Throws<InvalidInputException>(() => t.Load("fleet/mismatch.vz.yaml"));
        var lines = e.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains("mismatch.vz.yaml:8: pods[0].name: 'website' but pods/web.yaml names the pod 'web' (metadata.name): one name for both", lines);
        Assert.Contains(lines, l => l.StartsWith("mismatch.vz.yaml:11: pods[0].images: no archive for localhost/web:1 (named by pods/web.yaml:15)"));
        Assert.Contains(lines, l => l.StartsWith("mismatch.vz.yaml:12: pods[0].images.localhost/web:2: pods/web.yaml names no container with this image"));
        Assert.Contains(lines, l => l.StartsWith("mismatch.vz.yaml:14: pods[0].health.tcp.port: 9999 is not a TCP host port of pods/web.yaml (it publishes 8080/tcp)"));
        Assert.Contains("mismatch.vz.yaml:16: pods[1].manifest: pods/gone.yaml does not exist", lines);
        Assert.Contains(lines, l => l.StartsWith("pods/web.yaml:22: secret db: pods/web.yaml asks for key 'user', which secret 'db' does not have (it has password)"));
        Assert.Equal(6, lines.Count);
    }

    [Fact]
    public void AMissingArchiveNamesTheArchiveAndTheLine()
    {
        using var t = new TempFleet();
        var e = Assert.Throws<InvalidInputException>(() => t.Load("issue9/vz.yaml"));
        Assert.Equal("vz.yaml:7: pods[0].images.localhost/web:1: archive build/web.oci.tar does not exist (build it with vzbuild image)", e.Message);
        Assert.Equal(PodErrors.FileMissing, e.Error);
    }

    [Fact]
    public void AnUnsetSecretVariableIsReportedWithoutAnyValue()
    {
        using var t = WithFleetArchives();
        var e = Assert.Throws<InvalidInputException>(() => t.Load("fleet/vz.yaml", new Dictionary<string, string>()));
        Assert.Equal("vz.yaml:9: secrets.db.user.env: $VZ_TEST_DB_USER is not set (or empty) here", e.Message);
        Assert.Equal(PodErrors.SecretUnavailable, e.Error);
    }

    [Fact]
    public void ADeadmanShorterThanTheSwitchAndHealthCheckIsRefused()
    {
        using var t = new TempFleet("issue9/build/web.oci.tar");
        File.AppendAllText(t.PathOf("issue9/vz.yaml"), "    deadman: 2m\n");
        var e = Assert.Throws<InvalidInputException>(() => t.Parse("issue9/vz.yaml"));
        Assert.StartsWith("vz.yaml:11: pods[0].deadman: 2m is not longer than health.timeout (1m) plus the unit's start timeout (2m)", e.Message);
    }

    [Fact]
    public void AManifestProblemInsideAFleetNamesTheManifestFile()
    {
        using var t = new TempFleet("issue9/build/web.oci.tar");
        File.AppendAllText(t.PathOf("issue9/pods/web.yaml"), "      tty: true\n");
        var e = Assert.Throws<InvalidInputException>(() => t.Load("issue9/vz.yaml"));
        Assert.StartsWith("pods/web.yaml:14: spec.containers[0].tty: not accepted", e.Message);
    }

    [Fact]
    public void ASecretFileInsideTheFleetDirectoryIsANoteNotAnError()
    {
        using var t = WithFleetArchives();
        File.WriteAllText(t.PathOf("fleet/vz.yaml"), File.ReadAllText(t.PathOf("fleet/vz.yaml")).Replace("../secrets/db-password", "db-password"));
        File.WriteAllText(t.PathOf("fleet/db-password"), "x");
        var fleet = t.Load("fleet/vz.yaml");
        Assert.Contains("keep it out of the repository", Assert.Single(fleet.Notes));
    }

    [Theory]
    [InlineData("a/b.yaml", "/f/a/b.yaml", null)]
    [InlineData("./a/../b.yaml", "/f/b.yaml", null)]
    [InlineData("../b.yaml", null, "leaves")]
    [InlineData("a/../../b.yaml", null, "leaves")]
    [InlineData("/etc/passwd", null, "absolute")]
    [InlineData("~/x", null, "absolute")]
    public void FleetPathsStayInsideTheFleetDirectory(string written, string? expected, string? why)
    {
        var (path, problem) = FleetPaths.Inside("/f", written);
        Assert.Equal(expected, path);
        if (why is null) Assert.Null(problem); else Assert.Contains(why, problem);
    }

    [Theory]
    [InlineData("~/s/db", "/home/op/s/db")]
    [InlineData("/etc/vz/db", "/etc/vz/db")]
    [InlineData("../s/db", "/s/db")]
    public void SecretFilesMayLiveOutsideTheFleetDirectory(string written, string expected) =>
        Assert.Equal(expected, FleetPaths.Secret("/f", written, "/home/op").Path);

    [Theory]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    public void DurationsReadAsTheFleetFileWritesThem(string text, int ms)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Duration.Parse(text));
        Assert.Equal(text, Duration.Text(TimeSpan.FromMilliseconds(ms)));
    }

    [Fact]
    public void NinetySecondsReadAsOneAndAHalfMinutes() => Assert.Equal(Duration.Parse("1m30s"), Duration.Parse("90s"));

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("1d")]
    [InlineData("30s2m")]
    public void NonDurationsAreRefused(string text) => Assert.Null(Duration.Parse(text));

    [Fact]
    public void PodsArePlacedOnTheHostsOfTheirGroupsInInventoryOrder()
    {
        using var t = WithFleetArchives();
        var fleet = t.Load("fleet/vz.yaml");
        var inventory = AnsibleInventory.Load(fleet.File.Inventory);
        var placed = Placement.Place(fleet, inventory);
        Assert.Equal([("web1", "web,api"), ("web2", "web"), ("api1", "api")], placed.Select(n => (n.Name, string.Join(',', n.Pods))));
        // --group narrows nodes the way ansible --limit does: a node of the group gets all its pods.
        Assert.Equal([("web1", "web,api"), ("api1", "api")], Placement.Place(fleet, inventory, group: "api").Select(n => (n.Name, string.Join(',', n.Pods))));
        Assert.Equal(["web1", "web2"], Placement.Place(fleet, inventory, pod: "web").Select(n => n.Name));
    }

    [Fact]
    public void TwoPodsPublishingOneHostPortOnOneNodeAreRefusedNamingTheNode()
    {
        using var t = WithFleetArchives();
        var fleet = t.Load("fleet/port-clash.vz.yaml");
        var e = Assert.Throws<InvalidInputException>(() => Placement.Place(fleet, AnsibleInventory.Load(fleet.File.Inventory)));
        Assert.Equal("port-clash.vz.yaml:8: pods[1]: pods web and web-copy both publish host port 8080/tcp on web1", e.Message);
        Assert.Equal(PodErrors.PlacementConflict, e.Error);
    }

    [Fact]
    public void AGroupTheInventoryLacksIsNamedWithTheFleetLine()
    {
        using var t = new TempFleet("issue9/build/web.oci.tar");
        File.WriteAllText(t.PathOf("issue9/vz.yaml"), File.ReadAllText(t.PathOf("issue9/vz.yaml")).Replace("groups: [web]", "groups: [webz]"));
        var fleet = t.Load("issue9/vz.yaml");
        var e = Assert.Throws<InvalidInputException>(() => Placement.Place(fleet, AnsibleInventory.Load(fleet.File.Inventory)));
        Assert.StartsWith("vz.yaml:5: pods[0].groups: the inventory has no group 'webz'", e.Message);
    }
}
