using Vz.Deploy.Drift;
using Vz.Deploy.Tests.Pods;

namespace Vz.Deploy.Tests.Drift;

/// <summary>The detailed status probe (ps) read back from what real nodes printed (fixtures/pods/status/detail.*).</summary>
public class NodeStatusDetailTests
{
    [Theory]
    [InlineData("detail.debian-12.txt", "web-app", 1796072949L, 540672L)]
    [InlineData("detail.debian-13.txt", "web-app", 1796072948L, 528384L)]
    public void EachContainerHasItsImageStartMemoryAndNoHealthCheck(string fixture, string name, long started, long usage)
    {
        var node = NodeStatus.Parse("n1", PodFixtures.Text($"status/{fixture}"));
        var web = Assert.Single(node.Pods);
        var app = web.Containers.Single(c => c.Name == name);
        Assert.Equal(("localhost/vzweb:1", "running", 0), (app.Image, app.State, app.Restarts));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(started), app.Started);
        Assert.Equal((64L << 20, (long?)usage, ""), (app.MemoryLimit, app.MemoryUsage, app.Health));
        Assert.Equal("root@vm", web.DeployedBy);
        Assert.NotNull(web.Deployed);
        Assert.NotNull(node.Now);
        Assert.Equal("Running", node.PodmanPodStatus["web"]);
    }

    [Fact]
    public void MissingPiecesAreEmptyNotWrong()
    {
        var node = NodeStatus.Parse("n1", "pod=web\nactive=failed\nctr=web-app exited 3 abcd\nctrd=web-app -62135596800 0 - localhost/web:1 unhealthy\n");
        var c = Assert.Single(Assert.Single(node.Pods).Containers);
        Assert.Equal((null, null, 0L, "unhealthy", 3), (c.Started, c.MemoryUsage, c.MemoryLimit, c.Health, c.Restarts));
    }

    [Fact]
    public void TheDetailedScriptAddsOnlyReadsToTheOneDeployUses()
    {
        var web = Nodes.Manifest("issue9/pods/web.yaml");
        var (plan, layout) = Nodes.On("debian-12", web);
        var query = new NodeStatus.PodQuery("web", plan, ["localhost/web:1"]);
        var plain = NodeStatus.Script(layout, [query]);
        var detail = NodeStatus.Script(layout, [query], detail: true);
        Assert.Equal(plain, NodeStatus.Script(layout, [query], detail: false));
        Assert.All(plain.Split('\n'), line => Assert.Contains(line, detail));
        Assert.Contains("memory.usage_in_bytes", detail);
        Assert.DoesNotContain("set -e", detail);
    }
}
