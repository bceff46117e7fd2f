using System.Security.Cryptography;

namespace Vz.Vcdiff.Tests;

/// <summary>
/// Every committed delta decodes byte-identical to what its encoder was given (xdelta3's deltas
/// were also checked against `xdelta3 -d` when the corpus was made), or fails with its VZ39xx
/// code; either way within the documented buffer bound.
/// </summary>
public sealed class CorpusTests
{
    public static TheoryData<string> Decoding => Corpus.Names(e => e.Decodes);

    public static TheoryData<string> Failing => Corpus.Names(e => !e.Decodes);

    private static readonly VcdiffOptions Options = new();

    [Theory]
    [MemberData(nameof(Decoding))]
    public void DeltaDecodesToItsDigestWithinTheBufferBound(string name)
    {
        var entry = Corpus.Get(name);
        using var source = entry.SourcePath is null ? null : File.OpenRead(entry.SourcePath);
        using var delta = File.OpenRead(entry.DeltaPath);
        // VCD_TARGET windows read back what was written: those need a readable output.
        using var output = entry.Delta.Contains("target-windows") ? (Stream)new MemoryStream() : new HashingStream();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = VcdiffDecoder.Decode(source, delta, output, Options);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(entry.Length, result.TargetLength);
        Assert.Equal(entry.Sha256, output is MemoryStream m ? Convert.ToHexStringLower(SHA256.HashData(m.ToArray())) : ((HashingStream)output).Sha256());
        // Allocated, not live: buffers that grew by doubling left their smaller copies behind.
        if (output is HashingStream)
            Assert.True(allocated < 2 * Options.BufferBound, $"{name} allocated {allocated >> 20} MiB, bound 2 x {Options.BufferBound >> 20} MiB");
    }

    [Theory]
    [MemberData(nameof(Failing))]
    public void HostileDeltaFailsWithItsCodeBeforeAllocatingMuch(string name)
    {
        var entry = Corpus.Get(name);
        using var source = entry.SourcePath is null ? null : File.OpenRead(entry.SourcePath);
        using var delta = File.OpenRead(entry.DeltaPath);
        using var output = new HashingStream();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.Decode(source, delta, output, Options));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(entry.Expect, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < Options.BufferBound, $"{name} allocated {allocated >> 20} MiB before failing");
    }

    [Fact]
    public void CorpusCoversEveryKindOfDelta()
    {
        var names = Corpus.All.Select(e => e.Delta).ToList();
        Assert.True(names.Count(n => n.StartsWith("xd3-")) >= 20, "xdelta3 deltas");
        Assert.True(names.Count(n => n.StartsWith("ind-")) >= 20, "independent encoder deltas");
        Assert.Contains(Corpus.All, e => e.Delta.StartsWith("ind-target-windows") && e.Decodes);
        Assert.Contains(Corpus.All, e => e.What.Contains("-S lzma") && e.Decodes);
        Assert.Contains(Corpus.All, e => e.What.Contains("-S none") && e.Decodes);
        foreach (var code in new[] { "VZ3901", "VZ3902", "VZ3905", "VZ3906", "VZ3907" })
            Assert.Contains(Corpus.All, e => e.Expect == code);
    }
}
