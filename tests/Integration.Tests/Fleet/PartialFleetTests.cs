using Vz.Cli;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Vz.Integration.Tests.Push;
using Vz.Deploy.Push;

namespace Vz.Integration.Tests.Fleet;

/// <summary>Pushes to several harness nodes where not every node can take the image the same way.</summary>
[Collection(FleetCollection.Name)]
public sealed class PartialFleetTests(FleetImages images, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
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
    public async Task NodeWithoutXdeltaGetsAFullUploadWithANoteUntilVzpatchIsFoundThenDeltasAppliedByIt()
    {
        var vzpatch = VzpatchBinary.Of(await PublishedVzpatch.PathAsync());
        await using var fleet = await TestFleet.StartAsync(1, withXdelta: false);
        var node = fleet[0];
        var plain = new PushCli(cache.Path);
        var withVzpatch = new PushCli(cache.Path, vzpatch: vzpatch.LocalPath);
        var dir = NodeState.StoreDir(images.SmallA);
        Assert.Equal(0, (await plain.PushAsync(images.SmallA, node, "--delta")).ExitCode);

        var full = await plain.PushAsync(images.SmallB, node, "--delta");

        Assert.True(full.ExitCode == 0, full.ToString());
        // The harness node is minimal Debian: gzip, no zstd.
        Assert.Equal("full-gzip", full[node].Mode);
        Assert.Contains(full[node].Notes, n => n.Contains("no xdelta3") && n.Contains("VZ_VZPATCH"));
        await NodeState.AssertHoldsAsync(node, images.SmallB);

        // Drop A's kept archive so going back to A is a (reverse) delta, the first with vzpatch.
        await NodeState.ExecAsync(node, $"rm -f {dir}/{NodeScripts.ArchiveFile(images.SmallA.Sha256)}");
        var (first, firstOnLink) = await PushMeasuredAsync(withVzpatch, images.SmallA, node);
        Assert.Equal("delta", first.Mode);
        Assert.Contains(first.Notes, n => n.Contains("copying vzpatch"));
        Assert.InRange(first.BytesSent, vzpatch.Size, vzpatch.Size + 256 * 1024);
        await NodeState.AssertHoldsAsync(node, images.SmallA);
        Assert.StartsWith(vzpatch.Sha256, await NodeState.ExecAsync(node, $"sha256sum < /root/.vz/images/.vz/{vzpatch.FileName}"));

        await NodeState.ExecAsync(node, $"rm -f {dir}/{NodeScripts.ArchiveFile(images.SmallB.Sha256)}");
        var (next, nextOnLink) = await PushMeasuredAsync(withVzpatch, images.SmallB, node);
        Assert.Equal("delta", next.Mode);
        Assert.True(next.BytesSent < 256 * 1024, $"delta with vzpatch already on the node sent {next.BytesSent} B");
        Assert.DoesNotContain(next.Notes, n => n.Contains("vzpatch"));
        await NodeState.AssertHoldsAsync(node, images.SmallB);

        var rss = await VzpatchPeakRssKibAsync(node, vzpatch, images.SmallB, images.SmallA);
        output.WriteLine($"full gzip {full[node].BytesSent} B; first vzpatch delta payload {first.BytesSent} B, link rx {firstOnLink} B; " +
                         $"next delta payload {next.BytesSent} B, link rx {nextOnLink} B; vzpatch peak RSS {rss} KiB");
        Assert.True(firstOnLink < full[node].BytesSent, $"first vzpatch delta put {firstOnLink} B on the link, the full upload {full[node].BytesSent} B");
        Assert.InRange(rss, 1, 100 * 1024);
    }

    static async Task<(PushedNode Node, long OnLink)> PushMeasuredAsync(PushCli push, BuiltImage image, TestNode node)
    {
        var before = await node.RxBytesAsync();
        var run = await push.PushAsync(image, node, "--delta");
        var onLink = await node.RxBytesAsync() - before;
        Assert.True(run.ExitCode == 0, run.ToString());
        return (run[node], onLink);
    }

    /// <summary>
    /// Peak RSS of vzpatch applying FROM→TO's delta (encoded as push does) on the node: ru_maxrss of
    /// the child, measured by python3 there as bench/run measures xdelta3.
    /// </summary>
    static async Task<long> VzpatchPeakRssKibAsync(TestNode node, VzpatchBinary vzpatch, BuiltImage from, BuiltImage to)
    {
        using var work = new ScratchDir("fleet-vzpatch-rss");
        var delta = work["d.vcdiff"];
        var window = PushPlanner.SourceWindow(new FileInfo(from.Archive).Length);
        ProcessRunner.RunChecked(Vz.Deploy.DeployErrors.DeltaEncodeFailed, "xdelta3", "-e", "-9", "-S", "lzma", "-D", "-f", "-B", window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-s", from.Archive, to.Archive, delta);
        await node.SshCheckedAsync("cat > /tmp/vz-rss.vcdiff", await File.ReadAllBytesAsync(delta));
        var dir = NodeState.StoreDir(from);
        var printed = await node.SshCheckedAsync(
            "python3 -c 'import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' " +
            $"/root/.vz/images/.vz/{vzpatch.FileName} {dir}/{NodeScripts.ArchiveFile(from.Sha256)} /tmp/vz-rss.vcdiff /tmp/vz-rss.tar && " +
            "sha256sum < /tmp/vz-rss.tar; rm -f /tmp/vz-rss.vcdiff /tmp/vz-rss.tar");
        var lines = printed.Trim().Split('\n');
        Assert.StartsWith(to.Sha256, lines[^1]);
        return long.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => cache.Dispose();
}
