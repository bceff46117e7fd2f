using System.Security.Cryptography;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Push;
using Vz.Vcdiff.Tests;
using Vz.Vzpatch;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>
/// The published vzpatch's peak RSS, from wait4's rusage, on every delta of the committed corpus
/// (real xdelta3 deltas, the independent encoder's, and the crafted bombs): under the bound
/// src/Vcdiff/README.md documents, whatever the delta asks for.
/// </summary>
public sealed class PeakRssTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>The documented bound (src/Vcdiff/README.md "Memory"): well inside a 512 MB node.</summary>
    public const long BoundKib = 128 * 1024;

    private readonly ScratchDir _dir = new("vzpatch-rss");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task EveryCorpusDeltaStaysUnderTheDocumentedPeakRss()
    {
        var vzpatch = await PublishedVzpatch.PathAsync();
        var worst = (Delta: "", Kib: 0L);
        foreach (var entry in Corpus.All)
        {
            var output = _dir[entry.Delta + ".out"];
            var run = ChildRusage.Run(vzpatch, [entry.SourcePath ?? "/dev/null", entry.DeltaPath, output], TimeSpan.FromMinutes(2));
            log.WriteLine($"{entry.Delta}: exit {run.ExitCode}, peak RSS {run.PeakRssKib} KiB, {run.Elapsed.TotalMilliseconds:F0} ms");
            if (entry.Decodes)
            {
                Assert.True(run.ExitCode == ExitCodes.Ok, $"{entry.Delta}: exit {run.ExitCode}: {run.StdErr}");
                using (var file = File.OpenRead(output))
                    Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
                File.Delete(output);
            }
            else
            {
                Assert.True(run.ExitCode is ExitCodes.BadDelta or ExitCodes.Unsupported or ExitCodes.WrongSource, $"{entry.Delta}: exit {run.ExitCode}: {run.StdErr}");
                Assert.StartsWith($"vzpatch: {entry.Expect}: ", run.StdErr);
                Assert.False(File.Exists(output));
            }
            Assert.True(run.PeakRssKib < BoundKib, $"{entry.Delta}: vzpatch peaked at {run.PeakRssKib} KiB, bound {BoundKib} KiB");
            if (run.PeakRssKib > worst.Kib)
                worst = (entry.Delta, run.PeakRssKib);
        }
        log.WriteLine($"worst: {worst.Delta} at {worst.Kib} KiB");
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task BudgetBombPeaksAboveTheRuntimeAloneButUnderTheBound()
    {
        // The measurement must see the buffers: the sections-at-the-budget delta holds a 16 MiB
        // window, 32 MiB of sections and two 8 MiB dictionaries at once.
        var vzpatch = await PublishedVzpatch.PathAsync();
        var bomb = Corpus.Get("bomb-budget-3x16MiB.vcdiff");
        var small = Corpus.Get("xd3-bin-none9.vcdiff");
        var big = ChildRusage.Run(vzpatch, ["/dev/null", bomb.DeltaPath, "/dev/null"], TimeSpan.FromMinutes(2));
        var little = ChildRusage.Run(vzpatch, [small.SourcePath!, small.DeltaPath, "/dev/null"], TimeSpan.FromMinutes(2));
        log.WriteLine($"budget bomb {big.PeakRssKib} KiB, small delta {little.PeakRssKib} KiB");
        Assert.Equal(ExitCodes.Ok, big.ExitCode);
        Assert.Equal(ExitCodes.Ok, little.ExitCode);
        Assert.True(big.PeakRssKib > little.PeakRssKib + 56 * 1024, $"{big.PeakRssKib} KiB vs {little.PeakRssKib} KiB: rusage does not see the buffers");
        Assert.True(big.PeakRssKib < BoundKib);
    }
}
