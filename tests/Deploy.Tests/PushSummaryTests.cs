using Vz.Deploy.Push;

namespace Vz.Deploy.Tests;

public class PushSummaryTests
{
    static readonly PushReport Report = new("localhost/app:v2", new string('c', 64), 3_000_000,
    [
        new("node-a", true, PushMode.Delta, 547, 0, TimeSpan.FromSeconds(1.5), null, []),
        new("node-b", true, PushMode.FullZstd, 1_537_221, 1_000_000, TimeSpan.FromSeconds(3), null, ["resumed"]),
        new("node-c", false, PushMode.Full, 0, 0, TimeSpan.FromSeconds(0.1), "cannot reach 10.0.0.9:22 (VZ3013)", []),
    ]);

    [Fact]
    public void CountsSucceededAndFailedNodesAndNamesTheFailed()
    {
        Assert.Equal((2, 1), (Report.Succeeded, Report.Failed));
        Assert.Equal(["node-c"], Report.FailedNodes);
    }

    [Fact]
    public void TableHasOneRowPerNodeWithModeBytesTimeAndResult()
    {
        var lines = PushSummary.Table(Report).TrimEnd().Split('\n');
        Assert.StartsWith("NODE", lines[1]);
        Assert.Matches(@"^node-a\s+delta\s+547 B\s+1\.5s\s+ok$", lines[2]);
        Assert.Contains("(resumed at 976.6 KiB)", lines[3]);
        Assert.Matches(@"^node-c\s+-\s+0 B\s+0\.1s\s+FAILED: cannot reach", lines[4]);
        Assert.Equal("2 ok, 1 failed: node-c", lines[^1]);
    }

    [Fact]
    public void JsonGivesScriptsEveryField()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(PushSummary.Json(Report));
        var nodes = doc.RootElement.GetProperty("nodes");
        Assert.Equal(3, nodes.GetArrayLength());
        Assert.Equal("delta", nodes[0].GetProperty("mode").GetString());
        Assert.Equal("full-zstd", nodes[1].GetProperty("mode").GetString());
        Assert.False(nodes[2].GetProperty("ok").GetBoolean());
        Assert.Equal(1, doc.RootElement.GetProperty("failed").GetInt32());
    }
}
