using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>Broken deltas fail with a VzException naming where; never a crash, never wrong output.</summary>
public sealed class CorruptPlainDeltaTests() : CorruptDeltaTests("-e -S none -9 -W 65536");

/// <summary>The same with xdelta3's lzma secondary compression, as `vzbuild push` encodes.</summary>
public sealed class CorruptLzmaDeltaTests() : CorruptDeltaTests("-e -9 -S lzma -D -W 65536");

public abstract class CorruptDeltaTests : IDisposable
{
    private readonly Xdelta _xd = new();
    private readonly string _oldPath;
    private readonly byte[] _new;
    private readonly byte[] _delta;

    protected CorruptDeltaTests(string flags)
    {
        var old = Inputs.Structured(20, 200_000);
        _new = Inputs.RandomEdits(old, 21, 20);
        _oldPath = _xd.Write("old", old);
        // Small target windows so the delta has several of them.
        _delta = File.ReadAllBytes(_xd.Encode(_oldPath, _xd.Write("new", _new), flags));
    }

    public void Dispose()
    {
        _xd.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void EveryFlippedByteFailsTypedOrStillDecodesCorrectly()
    {
        var rng = new Random(22);
        var failures = 0;
        for (var i = 0; i < _delta.Length; i += 1 + rng.Next(3))
        {
            var broken = (byte[])_delta.Clone();
            broken[i] ^= (byte)(1 << rng.Next(8));
            try
            {
                var output = Apply.Delta(_oldPath, broken);
                // Only bytes that do not reach the output (the app header's file names) may change silently.
                Assert.True(output.AsSpan().SequenceEqual(_new), $"flipping delta byte {i} decoded to wrong output without an error");
            }
            catch (VzException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.StartsWith("VZ390", e.Code);
                failures++;
            }
        }
        Assert.True(failures > _delta.Length / 4, $"only {failures} flips were caught");
    }

    [Fact]
    public void TruncatedDeltaFailsTypedOrIsAWholeWindowPrefix()
    {
        var truncatedErrors = 0;
        for (var length = 0; length < _delta.Length; length += 7)
        {
            try
            {
                var output = Apply.Delta(_oldPath, _delta[..length]);
                // VCDIFF has no trailer: a cut exactly between windows decodes to a prefix of NEW.
                // The caller's sha256 of the result catches that (vzbuild push checks it).
                Assert.True(_new.AsSpan().StartsWith(output), $"delta cut at {length} decoded to bytes that are not a prefix of NEW");
            }
            catch (VzException e)
            {
                Assert.Contains("offset", e.Message);
                if (e.Error == VcdiffErrors.Truncated)
                    truncatedErrors++;
            }
        }
        Assert.True(truncatedErrors > 0);
    }

    [Fact]
    public void CutInsideAWindowNamesTheOffset()
    {
        var e = Assert.Throws<VzException>(() => Apply.Delta(_oldPath, _delta[..(_delta.Length - 3)]));
        Assert.Equal(VcdiffErrors.Truncated, e.Error);
        Assert.Equal("VZ3903", e.Code);
        Assert.Contains($"offset {_delta.Length - 3}", e.Message);
    }

    [Fact]
    public void ChecksumMismatchNamesTheWindow()
    {
        // Change one data byte of the last window; its adler32 no longer matches.
        var broken = (byte[])_delta.Clone();
        broken[^1] ^= 0x40;
        var e = Assert.Throws<VzException>(() => Apply.Delta(_oldPath, broken));
        Assert.Contains("window", e.Message);
        Assert.True(e.Error == VcdiffErrors.ChecksumMismatch || e.Error == VcdiffErrors.Corrupt, e.Message);
    }

    [Fact]
    public void NotAVcdiffFileIsABadHeader()
    {
        var e = Assert.Throws<VzException>(() => Apply.Delta(_oldPath, "hello, world"u8.ToArray()));
        Assert.Equal(VcdiffErrors.BadHeader, e.Error);
        Assert.Contains("D6C3C400", e.Message);
    }

    [Fact]
    public void ShorterSourceThanTheDeltaNeedsIsASourceMismatch()
    {
        var shortOld = _xd.Write("short", File.ReadAllBytes(_oldPath)[..1000]);
        var e = Assert.Throws<VzException>(() => Apply.Delta(shortOld, _delta));
        Assert.Equal(VcdiffErrors.SourceMismatch, e.Error);
        Assert.Contains("window 0", e.Message);
    }

    [Fact]
    public void MissingSourceIsASourceMismatch()
    {
        var e = Assert.Throws<VzException>(() => Apply.Delta(null, _delta));
        Assert.Equal(VcdiffErrors.SourceMismatch, e.Error);
    }

    [Theory]
    [InlineData("djw")]
    [InlineData("fgk")]
    public void SecondaryCompressorIsRefusedByName(string compressor)
    {
        var newPath = _xd.Write("new2", Inputs.Structured(23, 100_000));
        var delta = _xd.Encode(_oldPath, newPath, $"-e -9 -S {compressor}");
        var e = Assert.Throws<VzException>(() => Apply.Delta(_oldPath, delta));
        Assert.Equal(VcdiffErrors.Unsupported, e.Error);
        Assert.Contains(compressor, e.Message);
        Assert.Contains("-S lzma", e.Message);
    }
}
