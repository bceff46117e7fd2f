using Vz.Cli;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Fleet;

/// <summary>A node whose disk is full: the push fails cleanly and the running version is untouched.</summary>
[Collection(FleetCollection.Name)]
public sealed class FullDiskTests(FleetImages images) : IDisposable
{
    readonly ScratchDir cache = new("fleet-fulldisk");

    [Fact]
    public async Task PushToAFullNodeFailsWithoutTouchingTheRunningVersionAndSucceedsOnceThereIsRoom()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        Assert.Equal(0, (await push.PushAsync(images.SmallA, node)).ExitCode);
        await NodeState.ExecAsync(node, $"podman run -d --name vz-keeper {images.SmallA.Name} /usr/bin/python3.11 -c 'import time; time.sleep(1e6)'");
        var current = await NodeState.CurrentAsync(node, images.SmallA);

        await node.FillDiskAsync();
        var full = await push.PushAsync(images.SmallB, node, "--retries", "0");

        Assert.True(full.ExitCode == ExitCodes.AllFailed, full.ToString());
        Assert.False(full[node].Ok);
        Assert.False(string.IsNullOrWhiteSpace(full[node].Error));
        await node.UnfillDiskAsync();
        Assert.Equal(current, await NodeState.CurrentAsync(node, images.SmallA));
        Assert.Equal("true", (await NodeState.ExecAsync(node, "podman inspect --format '{{.State.Running}}' vz-keeper")).Trim());
        Assert.Equal(images.SmallA.ManifestDigest, await NodeState.DigestAsync(node, images.SmallA.Name));

        var retry = await push.PushAsync(images.SmallB, node);
        Assert.True(retry.ExitCode == 0, retry.ToString());
        await NodeState.AssertHoldsAsync(node, images.SmallB);
    }

    public void Dispose() => cache.Dispose();
}
