using System.Buffers.Binary;

namespace Vz.Vcdiff.Tests;

/// <summary>
/// Hand-written deltas for what xdelta3 never emits but RFC 3284 allows: VCD_TARGET windows
/// (copying from earlier output), runs, and a COPY that overlaps its own output.
/// </summary>
public sealed class CraftedDeltaTests
{
    private static byte[] Varint(long value)
    {
        var bytes = new List<byte> { (byte)(value & 0x7F) };
        while ((value >>= 7) > 0)
            bytes.Insert(0, (byte)(0x80 | (value & 0x7F)));
        return [.. bytes];
    }

    private static byte[] Window(byte indicator, (long Length, long Position)? segment, int targetLength, byte[] data, byte[] inst, byte[] addr, uint? adler = null)
    {
        byte[] checksum = [];
        if (adler is { } a)
        {
            checksum = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(checksum, a);
        }
        byte[] body = [.. Varint(targetLength), 0, .. Varint(data.Length), .. Varint(inst.Length), .. Varint(addr.Length), .. checksum, .. data, .. inst, .. addr];
        byte[] seg = segment is { } s ? [.. Varint(s.Length), .. Varint(s.Position)] : [];
        return [indicator, .. seg, .. Varint(body.Length), .. body];
    }

    private static readonly byte[] Header = [0xD6, 0xC3, 0xC4, 0x00, 0x00];

    private static byte[] Decoded(byte[] delta)
    {
        var output = new MemoryStream();
        VcdiffDecoder.Decode(null, new MemoryStream(delta), output);
        return output.ToArray();
    }

    // Opcodes of the RFC 3284 default table: 0 RUN size 0, 1 ADD size 0, 19 COPY mode 0 size 0, 35 COPY mode 1 (HERE) size 0.
    private static readonly byte[] TwoWindows =
    [
        .. Header,
        // "abcdefgh" then a RUN of four 'z'.
        .. Window(0, null, 12, "abcdefghz"u8.ToArray(), [1, 8, 0, 4], []),
        // VCD_TARGET: copy all 12 bytes of window 0, then 6 bytes from 2 back (overlapping: "zz" repeated).
        .. Window(0x02, (12, 0), 18, [], [19, 12, 35, 6], [0, 2]),
    ];

    [Fact]
    public void TargetWindowCopiesFromEarlierOutputAndOverlappingCopyRepeats()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vz-vcdiff-").FullName, "out");
        try
        {
            using (var output = new FileStream(path, FileMode.Create, FileAccess.ReadWrite))
            {
                var result = VcdiffDecoder.Decode(null, new MemoryStream(TwoWindows), output);
                Assert.Equal(2, result.Windows);
                Assert.Equal(30, result.TargetLength);
            }
            Assert.Equal("abcdefghzzzzabcdefghzzzzzzzzzz", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void TargetWindowIntoAWriteOnlyOutputIsRefused()
    {
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.Decode(null, new MemoryStream(TwoWindows), new WriteOnlyStream()));
        Assert.Equal(VcdiffErrors.Unsupported, e.Error);
        Assert.Contains("window 1", e.Message);
    }

    [Fact]
    public void AdlerChecksumIsVerifiedOnCraftedWindow()
    {
        byte[] good = [.. Header, .. Window(0x04, null, 3, "abc"u8.ToArray(), [4], [], 0x024d0127)];
        byte[] bad = [.. Header, .. Window(0x04, null, 3, "abc"u8.ToArray(), [4], [], 0x024d0128)];
        Assert.Equal("abc"u8.ToArray(), Decoded(good));
        var e = Assert.Throws<VzException>(() => Decoded(bad));
        Assert.Equal(VcdiffErrors.ChecksumMismatch, e.Error);
        Assert.Equal("VZ3904", e.Code);
    }

    [Fact]
    public void CopyFromBeyondTheCurrentPositionIsCorrupt()
    {
        byte[] delta = [.. Header, .. Window(0, null, 4, [], [19, 4], [3])];
        var e = Assert.Throws<VzException>(() => Decoded(delta));
        Assert.Equal(VcdiffErrors.Corrupt, e.Error);
        Assert.Contains("COPY address 3", e.Message);
    }

    [Fact]
    public void SegmentPastTheEndOfTheSourceIsASourceMismatchEvenWhenThePositionOverflows()
    {
        foreach (var position in new[] { 10L, long.MaxValue - 2 })
        {
            byte[] delta = [.. Header, .. Window(0x01, (4, position), 4, [], [19, 4], [0])];
            var e = Assert.Throws<VzException>(() => VcdiffDecoder.Decode(new MemoryStream(new byte[12]), new MemoryStream(delta), new MemoryStream()));
            Assert.Equal(VcdiffErrors.SourceMismatch, e.Error);
            Assert.Contains("12-byte source", e.Message);
        }
    }

    [Fact]
    public void HugeTargetWindowIsRefusedBeforeAllocating()
    {
        byte[] delta = [.. Header, .. Window(0, null, int.MaxValue / 2, [], [], [])];
        var e = Assert.Throws<VzException>(() => Decoded(delta));
        Assert.Equal(VcdiffErrors.OverLimit, e.Error);
        Assert.Contains("exceeds the limit", e.Message);
    }

    [Fact]
    public void DefaultCodeTableMatchesRfc3284()
    {
        var t = CodeTable.Default;
        Assert.Equal((new HalfInst(InstType.Run, 0, 0), new HalfInst(InstType.Noop, 0, 0)), t[0]);
        Assert.Equal(new HalfInst(InstType.Add, 17, 0), t[18].First);
        Assert.Equal(new HalfInst(InstType.Copy, 0, 0), t[19].First);
        Assert.Equal(new HalfInst(InstType.Copy, 18, 8), t[162].First);
        Assert.Equal((new HalfInst(InstType.Add, 1, 0), new HalfInst(InstType.Copy, 4, 0)), t[163]);
        Assert.Equal((new HalfInst(InstType.Add, 4, 0), new HalfInst(InstType.Copy, 6, 5)), t[234]);
        Assert.Equal((new HalfInst(InstType.Add, 1, 0), new HalfInst(InstType.Copy, 4, 6)), t[235]);
        Assert.Equal((new HalfInst(InstType.Copy, 4, 0), new HalfInst(InstType.Add, 1, 0)), t[247]);
        Assert.Equal((new HalfInst(InstType.Copy, 4, 8), new HalfInst(InstType.Add, 1, 0)), t[255]);
    }

    [Fact]
    public void Adler32MatchesZlibReferenceValues()
    {
        Assert.Equal(1u, Adler32.Compute([]));
        Assert.Equal(0x11E60398u, Adler32.Compute("Wikipedia"u8));
        Assert.Equal(0x024d0127u, Adler32.Compute("abc"u8));
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
