using Vz.Vcdiff;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>Deltas written by the real xdelta3 decode to NEW byte for byte, and to what `xdelta3 -d` writes.</summary>
public sealed class XdeltaRoundTripTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    // The flags `vzbuild push` uses (-9 -S lzma -D -B pow2), the same with -S none, and
    // variants: no app header (-A), no checksum (-n), fast levels, all-ADD level 0, small source windows.
    public static TheoryData<string> Flags => new()
    {
        "-e -9 -S lzma -D -B 16777216",
        "-e -S lzma -1 -B 1048576",
        "-e -S none -9 -B 16777216",
        "-e -S none -9 -D -B 1048576",
        "-e -S none -1 -A",
        "-e -S none -0",
        "-e -S none -6 -n",
    };

    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    private void AssertRoundTrip(byte[] old, byte[] @new, string flags)
    {
        var oldPath = _xd.Write("old", old);
        var newPath = _xd.Write("new", @new);
        var delta = _xd.Encode(oldPath, newPath, flags);
        var ours = Apply.Delta(oldPath, delta);
        Assert.Equal(@new.Length, ours.Length);
        Assert.True(@new.AsSpan().SequenceEqual(ours), $"decoded output differs from NEW ({flags})");
        Assert.True(_xd.Decode(oldPath, delta).AsSpan().SequenceEqual(ours), $"decoded output differs from xdelta3 -d ({flags})");
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void TarWithOneChangedMemberRoundTrips(string flags)
    {
        var members = Enumerable.Range(0, 20).Select(i => ($"usr/lib/file{i}", Inputs.Structured(i, 20_000 + i * 997))).ToList();
        var old = Inputs.Tar(members);
        members[7] = (members[7].Item1, Inputs.Random(99, 30_000));
        AssertRoundTrip(old, Inputs.Tar(members), flags);
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void InsertionDeletionAndMovedBlockRoundTrip(string flags)
    {
        var old = Inputs.Random(1, 300_000);
        var edited = Inputs.Insert(old, 1000, Inputs.Random(2, 5000));
        edited = Inputs.Delete(edited, 100_000, 7000);
        edited = Inputs.MoveToEnd(edited, 150_000, 40_000);
        AssertRoundTrip(old, edited, flags);
    }

    [Theory]
    [MemberData(nameof(Flags))]
    public void RepetitiveTextUsesRunsAndOverlappingCopies(string flags)
    {
        var old = Inputs.Structured(3, 100_000);
        var @new = Inputs.Insert(Inputs.Structured(4, 150_000), 5000, new byte[20_000]);
        AssertRoundTrip(old, @new, flags);
    }

    [Fact]
    public void EmptySourceRoundTrips() => AssertRoundTrip([], Inputs.Structured(5, 50_000), "-e -S none -9");

    [Fact]
    public void EmptyTargetRoundTrips() => AssertRoundTrip(Inputs.Random(6, 50_000), [], "-e -S none -9");

    [Fact]
    public void IdenticalFilesRoundTrip()
    {
        var bytes = Inputs.Random(7, 200_000);
        AssertRoundTrip(bytes, bytes, "-e -S none -9");
    }

    [Fact]
    public void FileLargerThanOneTargetWindowRoundTrips()
    {
        // -W 65536: many target windows, each copying from its own source segment.
        var old = Inputs.Random(8, 2 * MiB);
        AssertRoundTrip(old, Inputs.RandomEdits(old, 9, 40), "-e -S none -9 -W 65536 -B 524288");
    }

    [Theory]
    [InlineData("-e -S none -9 -B 16777216")]
    [InlineData("-e -9 -S lzma -D -B 33554432")]
    public void ArchiveOverSixteenMiBWithSourceWindowsRoundTrips(string flags)
    {
        // 20 MiB: more than one 16 MiB source window and three 8 MiB target windows, the shape
        // `vzbuild push` sends; a moved block makes later windows copy from far back in the source.
        var old = Inputs.Random(10, 20 * MiB);
        var edited = Inputs.MoveToEnd(Inputs.RandomEdits(old, 11, 30), 2 * MiB, 3 * MiB);
        AssertRoundTrip(old, Inputs.Insert(edited, 5 * MiB, Inputs.Structured(12, 2 * MiB)), flags);
    }
}
