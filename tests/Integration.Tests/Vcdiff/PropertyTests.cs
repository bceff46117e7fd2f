using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>Seeded random edits of seeded random files, each encoded by xdelta3 and decoded by us.</summary>
public sealed class PropertyTests : IDisposable
{
    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    [Fact]
    public void SeededRandomEditsAlwaysDecodeToTheNewFile()
    {
        string[] levels = ["-1", "-3", "-6", "-9"];
        for (var seed = 0; seed < 40; seed++)
        {
            var rng = new Random(seed);
            var length = rng.Next(0, 400_000);
            var old = seed % 2 == 0 ? Inputs.Random(seed, length) : Inputs.Structured(seed, length);
            var @new = Inputs.RandomEdits(old, seed + 1000, rng.Next(0, 60));
            var secondary = seed % 3 == 0 ? "lzma" : "none";
            var flags = $"-e -S {secondary} {levels[seed % levels.Length]} -W {1 << rng.Next(16, 24)}";
            var oldPath = _xd.Write($"old{seed}", old);
            var delta = _xd.Encode(oldPath, _xd.Write($"new{seed}", @new), flags);
            var ours = Apply.Delta(oldPath, delta);
            Assert.True(@new.AsSpan().SequenceEqual(ours), $"seed {seed} ({flags}): {ours.Length} bytes decoded, {@new.Length} expected");
        }
    }
}
