using Vz.Deploy.Push;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Vz.Integration.Tests.Push;

namespace Vz.Integration.Tests.Fleet;

/// <summary>Deltas to harness nodes (systemd, sshd, podman in a netns), measured on the node's link.</summary>
[Collection(FleetCollection.Name)]
public sealed class DeltaOverLinkTests(FleetImages images, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    readonly ScratchDir cache = new("fleet-cache");

    [Fact]
    public async Task OneFileChangeInA50MbImageSendsUnderOnePercentOfItsCompressedSizeOverTheLink()
    {
        Assert.True(new FileInfo(images.BigV1.Archive).Length >= 50_000_000, "the big image is under 50 MB");
        var compressed = FleetImages.ZstdSize(images.BigV2.Archive);
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);

        var full = await push.PushAsync(images.BigV1, node, "--delta");
        Assert.True(full.ExitCode == 0, full.ToString());
        Assert.Equal(images.BigV1.ManifestDigest, await NodeState.DigestAsync(node, images.BigV1.Name));

        var before = await node.RxBytesAsync();
        var delta = await push.PushAsync(images.BigV2, node, "--delta");
        var onLink = await node.RxBytesAsync() - before;

        Assert.True(delta.ExitCode == 0, delta.ToString());
        Assert.Equal("delta", delta[node].Mode);
        output.WriteLine($"archive {new FileInfo(images.BigV2.Archive).Length} B, zstd -9 {compressed} B, delta payload {delta[node].BytesSent} B, node link rx {onLink} B");
        Assert.True(onLink * 100 <= compressed, $"{onLink} B crossed the node's link, over 1% of {compressed} B");
        await NodeState.AssertHoldsAsync(node, images.BigV2);
    }

    [Fact]
    public async Task RollingBackToThePreviousVersionSendsNothingAndLoadsItsKeptArchive()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        Assert.Equal(0, (await push.PushAsync(images.SmallA, node)).ExitCode);
        Assert.Equal(0, (await push.PushAsync(images.SmallB, node, "--delta")).ExitCode);
        await NodeState.ExecAsync(node, $"podman rmi {images.SmallA.Name}");

        var before = await node.RxBytesAsync();
        var back = await push.PushAsync(images.SmallA, node, "--delta");
        var onLink = await node.RxBytesAsync() - before;

        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal("kept", back[node].Mode);
        Assert.Equal(0, back[node].BytesSent);
        Assert.True(onLink < 64 * 1024, $"{onLink} B crossed the link for a rollback");
        await NodeState.AssertHoldsAsync(node, images.SmallA);
    }

    [Fact]
    public async Task DeltaCorruptedInFlightIsCaughtOnTheNodeAndRepairedByAFullUpload()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        Assert.True((await push.PushAsync(images.SmallA, node)).ExitCode == 0);

        // The CLI has no corrupting link, so this one push runs the library behind it over the same SSH.
        var ssh = new SshOptions { KnownHostsFile = node.KnownHostsPath, IdentityFiles = [node.SshKeyPath], ConfigFile = "/dev/null" };
        var corrupting = new CorruptingConnector(new SshConnector(ssh), path => path.Contains(".vcdiff"));
        var target = new NodeTarget(node.Name, node.Ip, node.Port, node.User, [node.SshKeyPath]);
        var report = await new Pusher(corrupting, new CollectingReporter())
            .PushAsync(new PushOptions(images.SmallB.Archive) { Delta = true, CacheDir = cache.Path, Retries = 0 }, [target]);

        var r = report.Nodes[0];
        Assert.True(r.Ok, r.Error);
        Assert.Equal(1, corrupting.Corrupted);
        Assert.NotEqual(PushMode.Delta, r.Mode);
        Assert.Contains(r.Notes, n => n.Contains("delta failed verification"));
        await NodeState.AssertHoldsAsync(node, images.SmallB);
    }

    [Fact]
    public async Task DamagedBaseArchiveOnTheNodeMakesTheDeltaFailVerificationAndAFullUploadRepairsIt()
    {
        await using var fleet = await TestFleet.StartAsync(1);
        var node = fleet[0];
        var push = new PushCli(cache.Path);
        Assert.True((await push.PushAsync(images.SmallA, node)).ExitCode == 0);
        // A bit flip on the node's disk in the archive the delta applies to.
        var (link, _) = await NodeState.CurrentAsync(node, images.SmallA);
        await NodeState.ExecAsync(node, $"printf '\\377\\377\\377\\377' | dd of={NodeState.StoreDir(images.SmallA)}/{link} bs=1 seek=4000000 conv=notrunc status=none");

        var run = await push.PushAsync(images.SmallB, node, "--delta");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.NotEqual("delta", run[node].Mode);
        Assert.Contains(run[node].Notes, n => n.Contains("delta failed verification"));
        await NodeState.AssertHoldsAsync(node, images.SmallB);
    }

    public void Dispose() => cache.Dispose();
}

/// <summary>
/// Fleet tests run one after another (each starts nodes, and cut timing wants a quiet machine)
/// and share the images, built once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FleetCollection : ICollectionFixture<FleetImages>
{
    public const string Name = "fleet";
}
