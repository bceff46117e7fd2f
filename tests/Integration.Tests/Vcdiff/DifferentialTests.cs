using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>
/// Mutated xdelta3 deltas decoded by both decoders: whenever both accept one, they write the same
/// bytes, so a mutation vzpatch accepts decodes to what the delta says, not to something else.
/// </summary>
public sealed class DifferentialTests : IDisposable
{
    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    [Theory]
    [InlineData("-e -S none -9 -W 65536 -n")]
    [InlineData("-e -S lzma -9 -W 65536")]
    public void WheneverBothDecodersAcceptAMutatedDeltaTheyAgree(string flags)
    {
        var old = Inputs.Structured(60, 300_000);
        var oldPath = _xd.Write("old", old);
        var delta = File.ReadAllBytes(_xd.Encode(oldPath, _xd.Write("new", Inputs.RandomEdits(old, 61, 25)), flags));
        var rng = new Random(62);
        var both = 0;
        for (var i = 0; i < 300; i++)
        {
            var mutated = (byte[])delta.Clone();
            var at = rng.Next(mutated.Length);
            mutated[at] = rng.Next(2) == 0 ? (byte)(mutated[at] ^ (1 << rng.Next(8))) : (byte)rng.Next(256);
            byte[]? ours;
            try
            {
                ours = Apply.Delta(oldPath, mutated);
            }
            catch (VzException e)
            {
                Assert.StartsWith("VZ39", e.Code);
                ours = null;
            }
            var path = _xd.Write($"m{i}", mutated);
            var output = _xd.Path($"m{i}.out");
            var theirs = ProcessRunner.Run(new ProcessSpec("xdelta3", ["-d", "-f", "-s", oldPath, path, output]) { Timeout = TimeSpan.FromSeconds(30) });
            if (ours is not null && theirs.Ok)
            {
                both++;
                Assert.True(File.ReadAllBytes(output).AsSpan().SequenceEqual(ours), $"byte {at} mutated: vzpatch and xdelta3 decode to different bytes");
            }
            File.Delete(path);
            File.Delete(output);
        }
        // Some mutations (app header, unchecked bytes with -n) leave a delta both decoders accept.
        Assert.True(both > 0, "no mutation was decoded by both: the comparison never ran");
    }
}
