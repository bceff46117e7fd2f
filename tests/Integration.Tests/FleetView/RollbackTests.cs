using Vz.Integration.Tests.Deploy;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.FleetView;

[Collection(FleetViewCollection.Name)]
public sealed class RollbackTests(FleetViewFleet fx, ITestOutputHelper output)
{
    /// <summary>Each web node's history of web, as (event, release, detail).</summary>
    async Task<IReadOnlyList<(string Event, string Release, string Detail)>> HistoryAsync(string node)
    {
        var history = await fx.RunAsync("history", "--pod", "web", "--json");
        Assert.True(history.ExitCode == 0, history.ToString());
        return history.Node(node).GetProperty("events").EnumerateArray()
            .Select(e => (e.GetProperty("event").GetString()!, e.GetProperty("release").GetString()!, e.GetProperty("detail").GetString()!)).ToList();
    }

    [Fact]
    public async Task RollbackAfterAnUpdateRestoresTheOldAnswerOnEveryNodeOfTheGroupWithNoImageUploadedAndHistoryListsIt()
    {
        var web = new[] { fx.N1, fx.N2 };
        fx.UseWebVersion(fx.App.V2);
        try
        {
            var update = await fx.Fleet.DeployAsync();
            Assert.True(update.ExitCode == 0, update.ToString());
            foreach (var n in web)
                Assert.Equal("web v2", await Web.TryGetAsync(n, FleetViewFleet.WebPort));

            var rx = await Task.WhenAll(web.Select(n => n.RxBytesAsync()));
            var rollback = await fx.RunAsync("rollback", "--group", "web", "--json");
            var onLink = (await Task.WhenAll(web.Select(n => n.RxBytesAsync()))).Zip(rx, (after, before) => after - before).ToArray();
            output.WriteLine(rollback.StdOut);
            output.WriteLine($"bytes on the links during the rollback: n1 {onLink[0]}, n2 {onLink[1]} (image archive: {fx.App.V1.Size} B)");

            Assert.True(rollback.ExitCode == 0, rollback.ToString());
            Assert.Equal("all-rolled-back", rollback.Json.GetProperty("outcome").GetString());
            foreach (var (name, node) in new[] { ("n1", fx.N1), ("n2", fx.N2) })
            {
                var n = rollback.Node(name);
                Assert.Equal(("rolled-back", 0L), (n.GetProperty("outcome").GetString(), n.GetProperty("imageBytesSent").GetInt64()));
                var pod = n.GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "web");
                Assert.Equal(update.Pod(name, "web").GetProperty("release").GetString(), pod.GetProperty("from").GetString());
                Assert.Equal(update.Pod(name, "web").GetProperty("previous").GetString(), pod.GetProperty("to").GetString());
                Assert.Equal("web v1", await Web.TryGetAsync(node, FleetViewFleet.WebPort));
            }
            // SSH and the node's answers only: an image would be megabytes, a delta of it hundreds of bytes plus its hashes.
            Assert.All(onLink, b => Assert.True(b < fx.App.V1.Size / 10, $"{b} B crossed a link"));
            // n2's api pod (never updated: no previous release) was left as it is.
            var api = rollback.Node("n2").GetProperty("pods").EnumerateArray().Single(p => p.GetProperty("pod").GetString() == "api");
            Assert.Equal("skipped", api.GetProperty("result").GetString());
            Assert.Equal("api v1", await Web.TryGetAsync(fx.N2, FleetViewFleet.ApiPort));

            foreach (var name in new[] { "n1", "n2" })
            {
                var events = await HistoryAsync(name);
                output.WriteLine($"{name}: {string.Join(" | ", events)}");
                Assert.Equal("deploy", events[0].Event);
                Assert.Equal(["update", "rollback"], events.TakeLast(2).Select(e => e.Event));
                var (_, updated, _) = events[^2];
                Assert.Equal(("rollback", $"from {updated}"), (events[^1].Event, events[^1].Detail));
            }
            var diff = await fx.DiffAsync();
            Assert.Equal(9, diff.ExitCode);
            Assert.Equal([("n1", "web", "version-differs"), ("n2", "web", "version-differs")], diff.Findings.Order());
        }
        finally
        {
            fx.UseWebVersion(fx.App.V1);
            // Back at version 1, which the rollback runs already: nothing to do (or, after a failure, the way back).
            var back = await fx.Fleet.DeployAsync();
            Assert.True(back.ExitCode == 0, back.ToString());
        }
        Assert.Equal(0, (await fx.DiffAsync()).ExitCode);
    }

    [Fact]
    public async Task NodesWithNothingToGoBackToAreNamedAndLeftAsTheyWere()
    {
        // api was deployed once on n2 and n3, never updated: neither keeps a previous release.
        var rollback = await fx.RunAsync("rollback", "--pod", "api", "--json");
        output.WriteLine(rollback.StdOut);
        Assert.True(rollback.ExitCode == 5, rollback.ToString());
        foreach (var n in new[] { "n2", "n3" })
        {
            Assert.Equal("failed", rollback.Node(n).GetProperty("outcome").GetString());
            Assert.Contains("VZ4401", rollback.Node(n).GetProperty("error").GetString());
        }
        Assert.Equal("api v1", await Web.TryGetAsync(fx.N3, FleetViewFleet.ApiPort));
        Assert.Equal(0, (await fx.DiffAsync()).ExitCode);
    }
}
