using System.Text.Json;
using Vz.Deploy.Drift;
using Vz.Deploy.Layout;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.View;

namespace Vz.Deploy.Tests.View;

public class PsSummaryTests
{
    static PsNode Read(string fixture, params string[] placed) =>
        PsSummary.Node("n1", placed, Nodes.Facts("debian-12"), NodeStatus.Parse("n1", PodFixtures.Text($"status/{fixture}")), TimeSpan.FromSeconds(1));

    [Fact]
    public void APlacedPodShowsItsContainersButNotTheInfraContainer()
    {
        var node = Read("detail.debian-12.txt", "web");
        var web = Assert.Single(node.Pods);
        Assert.Equal(("running", "605724dfaf5ea825", "ceba10331fbc3435", PsPodKind.Placed), (web.State, web.Release, web.Previous, web.Kind));
        var app = Assert.Single(web.Containers);
        Assert.Equal(("web-app", "localhost/vzweb:1", "37fb592cc98d"), (app.Name, app.Image, PsSummary.ShortId(app.ImageId)));
        Assert.Equal(TimeSpan.FromSeconds(1796073029 - 1796072949), app.Uptime);
        Assert.Equal("528 KiB / 64 MiB", PsSummary.Memory(app));
    }

    [Fact]
    public void PodsTheFleetDoesNotPlaceAreShownForWhatTheyAre()
    {
        var status = NodeStatus.Parse("n1", PodFixtures.Text("status/detail.debian-12.txt") + "podman_pod=adhoc\npodman_pod_status=adhoc Exited\n");
        var node = PsSummary.Node("n1", ["api"], Nodes.Facts("debian-12"), status, TimeSpan.Zero);
        Assert.Equal([("api", PsPodKind.Placed, "not deployed"), ("web", PsPodKind.Undeclared, "running"), ("adhoc", PsPodKind.Foreign, "exited")],
            node.Pods.Select(p => (p.Pod, p.Kind, p.State)));
    }

    [Theory]
    [InlineData(45, "45s")]
    [InlineData(720, "12m")]
    [InlineData(3 * 3600 + 5 * 60, "3h05m")]
    [InlineData(2 * 86400 + 4 * 3600, "2d04h")]
    public void UptimeIsShort(int seconds, string text) => Assert.Equal(text, PsSummary.Uptime(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void TheTableHasARowPerContainerAndSaysWhichNodeIsUnreachable()
    {
        var down = new PsNode("n2", TimeSpan.FromSeconds(15)) { Error = "n2 is unreachable (VZ3013)", Unreachable = true };
        var report = new PsReport([Read("detail.debian-12.txt", "web"), down], TimeSpan.FromSeconds(15));
        var table = PsSummary.Table(report);
        Assert.Contains("unreachable: n2 is unreachable (VZ3013)", table);
        Assert.Matches(@"n1 +web +running +605724dfaf5ea825 .* web-app +localhost/vzweb:1 +37fb592cc98d +0 ", table);
        Assert.EndsWith("1 ok, 1 failed: n2\n", table);
        Assert.Equal(TimeSpan.FromSeconds(16), report.Sequential);
    }

    [Fact]
    public void TheJsonCarriesFullImageIdsRestartsAndTimes()
    {
        var report = new PsReport([Read("detail.debian-13.txt", "web")], TimeSpan.FromSeconds(2));
        using var doc = JsonDocument.Parse(PsSummary.Json(report, 0));
        var c = doc.RootElement.GetProperty("nodes")[0].GetProperty("pods")[0].GetProperty("containers")[0];
        Assert.Equal("sha256:37fb592cc98dfde0b787940190186e340979d87fba1f9d01cfe219859edd34e9", c.GetProperty("imageId").GetString());
        Assert.Equal(0, c.GetProperty("restarts").GetInt32());
        Assert.Equal(64L << 20, c.GetProperty("memoryLimit").GetInt64());
        Assert.Equal(2.0, doc.RootElement.GetProperty("wallSeconds").GetDouble());
    }
}

public class HistorySummaryTests
{
    [Fact]
    public void TheLogReadsBackInOrderAndByPod()
    {
        var (events, unreadable) = HistorySummary.Parse(ViewFixtures.Text("history.debian-13.log") + "2026-12-01T00:00:00Z\tapi\tdeploy\tabc\tme\t\nnot a line\n", "web");
        Assert.Equal([HistoryEvent.Deploy, HistoryEvent.Deploy, HistoryEvent.Update, HistoryEvent.Rollback], events.Select(e => e.Event));
        Assert.Equal(1, unreadable);
        Assert.Equal("from e87838ad8e0e364b", events[^1].Detail);
    }

    [Fact]
    public void TheTableNamesEachEventForPeople()
    {
        var (events, _) = HistorySummary.Parse(ViewFixtures.Text("history.debian-13.log"), null);
        var report = new HistoryReport([new HistoryNode("n2", TimeSpan.Zero) { Events = events }, new HistoryNode("n3", TimeSpan.Zero) { Error = "down (VZ3013)", Unreachable = true }]);
        var table = HistorySummary.Table(report);
        Assert.Matches(@"n2 +web +2026-11-30 21:09:14Z +rolled back +04fb103453e2fe32 +root@vm +from e87838ad8e0e364b", table);
        Assert.Contains("unreachable", table);
        Assert.Equal("auto-rolled back (dead-man)", HistorySummary.Verb(HistoryEvent.AutoRollback));
        using var doc = JsonDocument.Parse(HistorySummary.Json(report, 4));
        Assert.Equal("rollback", doc.RootElement.GetProperty("nodes")[0].GetProperty("events")[3].GetProperty("event").GetString());
    }
}

public class DiffSummaryTests
{
    [Fact]
    public void EachFindingIsALineAndNotesSayTheyAreNotes()
    {
        var report = new DiffReport(
            [new DiffNode("n1", DriftOutcome.Drifted, TimeSpan.Zero), new DiffNode("n2", DriftOutcome.Converged, TimeSpan.Zero)],
            [new DriftFinding("n1", "web", DriftKind.UnitNotEnabled, "unit is disabled: it would not start at boot"), new DriftFinding("n2", "adhoc", DriftKind.ForeignPod, "runs on the node and vz did not place it (vz leaves it alone)")]);
        Assert.Equal(
            "n1: pod web: unit is disabled: it would not start at boot\nnote: n2: pod adhoc: runs on the node and vz did not place it (vz leaves it alone)\n1 converged; 1 drifted: n1\n",
            DiffSummary.Lines(report));
        using var doc = JsonDocument.Parse(DiffSummary.Json(report, 8));
        Assert.Equal("drifted", doc.RootElement.GetProperty("outcome").GetString());
        var f = doc.RootElement.GetProperty("findings")[0];
        Assert.Equal(("unit-not-enabled", true), (f.GetProperty("kind").GetString(), f.GetProperty("repairedByDeploy").GetBoolean()));
    }
}
