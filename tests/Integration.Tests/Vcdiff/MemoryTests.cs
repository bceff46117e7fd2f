using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>The decoder must not hold the source or the target: what it allocates is bounded by one window.</summary>
public sealed class MemoryTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    [Theory]
    [InlineData("-e -S none -9 -B 67108864")]
    [InlineData("-e -9 -S lzma -D -B 67108864")]
    public void DecodingA40MiBFileAllocatesLessThanTwoWindows(string flags)
    {
        var old = Inputs.Random(30, 40 * MiB);
        var edited = Inputs.MoveToEnd(Inputs.RandomEdits(old, 31, 20), 1 * MiB, 4 * MiB);
        var oldPath = _xd.Write("old", old);
        var newPath = _xd.Write("new", edited);
        var delta = _xd.Encode(oldPath, newPath, flags);
        var outPath = _xd.Path("out");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = VcdiffDecoder.DecodeFile(oldPath, delta, outPath);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(File.ReadAllBytes(outPath).AsSpan().SequenceEqual(edited));
        Assert.True(result.Windows >= 5, $"{result.Windows} windows");
        // xdelta3's target windows are 8 MiB: one window, its sections and the 1 MiB source cache.
        Assert.True(allocated < 16 * MiB, $"decode allocated {allocated / MiB} MiB for a {edited.Length / MiB} MiB output");
    }
}
