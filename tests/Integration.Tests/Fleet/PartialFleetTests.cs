using Vz.Cli;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Fleet;

/// <summary>Pushes to several harness nodes where not every node can take the image the same way.</summary>
[Collection(FleetCollection.Name)]
public sealed class PartialFleetTests(FleetImages images) : IDisposable
{
    readonly ScratchDir cache = new("fleet-partial");

    [Fact]
    public async Task PushToThreeNodesWithOneStoppedReportsTwoSuccessesNamesTheFailureAndExitsPartial()
    {
        await using var fleet = await TestFleet.StartAsync(3);
        var stopped = fleet[2];
        await stopped.StopAsync();
        var push = new PushCli(cache.Path);

        var run = await push.PushAsync(images.SmallA, fleet.Nodes, "--retries", "1");

        Assert.True(run.ExitCode == ExitCodes.PartialFailure, run.ToString());
        Assert.Equal(3, run.Nodes.Count);
        foreach (var node in fleet.Nodes.Take(2))
        {
            Assert.True(run[node].Ok, run[node].Error);
            Assert.Equal(images.SmallA.ManifestDigest, await NodeState.DigestAsync(node, images.SmallA.Name));
        }
        Assert.False(run[stopped].Ok);
        Assert.Contains("VZ3013", run[stopped].Error);
    }

    [Fact]
    public async Task NodeWithoutXdeltaGetsAFullUploadWithANote()
    {
        await using var fleet = await TestFleet.StartAsync(1, withXdelta: false);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        Assert.Equal(0, (await push.PushAsync(images.SmallA, node, "--delta")).ExitCode);

        var run = await push.PushAsync(images.SmallB, node, "--delta");

        Assert.True(run.ExitCode == 0, run.ToString());
        // The harness node is minimal Debian: gzip, no zstd.
        Assert.Equal("full-gzip", run[node].Mode);
        Assert.Contains("node has no xdelta3: full upload", run[node].Notes);
        Assert.Equal(images.SmallB.ManifestDigest, await NodeState.DigestAsync(node, images.SmallB.Name));
    }

    public void Dispose() => cache.Dispose();
}
