using System.Buffers.Binary;

namespace Vz.Vcdiff;

/// <summary>Limits that keep a hostile or corrupt delta from taking the node's memory.</summary>
public sealed record VcdiffOptions
{
    /// <summary>Largest target window accepted; xdelta3 never writes more than 16 MiB (XD3_HARDMAXWINSIZE).</summary>
    public int MaxWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Largest application header accepted (xdelta3 stores file names there).</summary>
    public int MaxAppHeaderSize { get; init; } = 64 * 1024;
}

/// <summary>What a successful decode produced.</summary>
public sealed record VcdiffResult(int Windows, long TargetLength, int ChecksummedWindows, byte[]? AppHeader);

/// <summary>
/// Streaming VCDIFF decoder (RFC 3284, https://www.rfc-editor.org/rfc/rfc3284) with the
/// xdelta3 extensions VCD_APPHEADER and VCD_ADLER32. Memory is one target window, its three
/// sections and a small block cache over the source: the source is read by seeking, the
/// delta front to back, and the output written front to back.
/// </summary>
public static class VcdiffDecoder
{
    private static ReadOnlySpan<byte> Magic => [0xD6, 0xC3, 0xC4, 0x00];

    // RFC 3284 section 4.1 Hdr_Indicator; VCD_APPHEADER is xdelta3's.
    private const byte VcdDecompress = 0x01, VcdCodeTable = 0x02, VcdAppHeader = 0x04;

    // Section 4.2 Win_Indicator; VCD_ADLER32 is xdelta3's (4 bytes after the section lengths).
    private const byte VcdSource = 0x01, VcdTarget = 0x02, VcdAdler32 = 0x04;

    // Section 4.3 Delta_Indicator: which sections went through the secondary compressor.
    private const byte VcdDataComp = 0x01, VcdInstComp = 0x02, VcdAddrComp = 0x04;

    // xdelta3's secondary compressor id for lzma (VCD_LZMA_ID).
    private const byte LzmaId = 2;

    /// <summary>Applies the delta file to the source file, writing the output file (created or truncated).</summary>
    public static VcdiffResult DecodeFile(string? sourcePath, string deltaPath, string outputPath, VcdiffOptions? options = null)
    {
        using var source = sourcePath is null ? null : new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        using var delta = new FileStream(deltaPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        // ReadWrite: VCD_TARGET windows copy from output already written.
        using var output = new FileStream(outputPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        return Decode(source, delta, output, options);
    }

    /// <summary>
    /// Decodes <paramref name="delta"/> against <paramref name="source"/> (seekable, or null for
    /// deltas without VCD_SOURCE windows) into <paramref name="output"/>. The output must be
    /// readable and seekable only if the delta has VCD_TARGET windows.
    /// </summary>
    /// <exception cref="VcdiffException">The delta is corrupt, truncated, unsupported, or does not fit the source.</exception>
    public static VcdiffResult Decode(Stream? source, Stream delta, Stream output, VcdiffOptions? options = null)
    {
        options ??= new VcdiffOptions();
        var reader = new DeltaReader(delta);
        var (appHeader, lzma) = ReadHeader(reader, options);
        var state = new WindowState(source, output, options) { Lzma = lzma };
        var windows = 0;
        var checksummed = 0;
        while (!reader.AtEnd)
        {
            if (DecodeWindow(reader, state, windows))
                checksummed++;
            windows++;
        }
        output.Flush();
        return new VcdiffResult(windows, state.Written, checksummed, appHeader);
    }

    private static (byte[]? AppHeader, bool Lzma) ReadHeader(DeltaReader reader, VcdiffOptions options)
    {
        Span<byte> magic = stackalloc byte[4];
        reader.ReadExactly(magic, "header magic");
        if (!magic.SequenceEqual(Magic))
            throw new VcdiffException(VcdiffError.BadHeader, $"not a VCDIFF delta: header bytes {Convert.ToHexString(magic)}, expected D6C3C400");
        var indicator = reader.ReadByte("header indicator");
        if ((indicator & ~(VcdDecompress | VcdCodeTable | VcdAppHeader)) != 0)
            throw new VcdiffException(VcdiffError.BadHeader, $"header indicator 0x{indicator:X2} at delta offset 4 has unknown bits");
        var lzma = false;
        if ((indicator & VcdDecompress) != 0)
        {
            var id = reader.ReadByte("secondary compressor id");
            if (id != LzmaId)
                throw new VcdiffException(VcdiffError.Unsupported,
                    $"delta uses secondary compressor {SecondaryName(id)} (header offset 5); supported: none or lzma (xdelta3 -S none / -S lzma)");
            lzma = true;
        }
        if ((indicator & VcdCodeTable) != 0)
            throw new VcdiffException(VcdiffError.Unsupported, "delta uses an application-defined code table (VCD_CODETABLE); only the RFC 3284 default table is supported");
        if ((indicator & VcdAppHeader) == 0)
            return (null, lzma);
        var length = reader.ReadVarint("application header length", 32);
        if (length > (ulong)options.MaxAppHeaderSize)
            throw new VcdiffException(VcdiffError.BadHeader, $"application header length {length} exceeds {options.MaxAppHeaderSize}");
        var app = new byte[(int)length];
        reader.ReadExactly(app, "application header");
        return (app, lzma);
    }

    // xdelta3's ids: VCD_DJW_ID 1, VCD_LZMA_ID 2, VCD_FGK_ID 16.
    private static string SecondaryName(byte id) => id switch
    {
        1 => "djw (id 1)",
        2 => "lzma (id 2)",
        16 => "fgk (id 16)",
        _ => $"id {id}",
    };

    /// <summary>Decodes one window; returns whether it carried an adler32 that was verified.</summary>
    private static bool DecodeWindow(DeltaReader reader, WindowState state, int number)
    {
        var start = reader.Offset;
        var where = $"window {number} (delta offset {start})";
        var indicator = reader.ReadByte("window indicator");
        if ((indicator & ~(VcdSource | VcdTarget | VcdAdler32)) != 0 || (indicator & (VcdSource | VcdTarget)) == (VcdSource | VcdTarget))
            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: window indicator 0x{indicator:X2} is invalid");

        long segLength = 0, segPosition = 0;
        SegmentReader? segment = null;
        if ((indicator & (VcdSource | VcdTarget)) != 0)
        {
            segLength = (long)reader.ReadVarint("source segment length", 63);
            segPosition = (long)reader.ReadVarint("source segment position", 63);
            segment = (indicator & VcdSource) != 0
                ? state.SourceSegment(where, segPosition, segLength)
                : state.TargetSegment(where, segPosition, segLength);
        }

        var encodingLength = reader.ReadVarint("delta encoding length", 32);
        var encodingStart = reader.Offset;
        var targetLength = reader.ReadVarint("target window length", 32);
        if (targetLength > (ulong)state.Options.MaxWindowSize)
            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: target window length {targetLength} exceeds {state.Options.MaxWindowSize}");
        var deltaIndicator = reader.ReadByte("delta indicator");
        if ((deltaIndicator & ~(VcdDataComp | VcdInstComp | VcdAddrComp)) != 0 || (deltaIndicator != 0 && !state.Lzma))
            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: delta indicator 0x{deltaIndicator:X2} is invalid{(state.Lzma ? "" : " without a secondary compressor")}");
        var dataLength = reader.ReadVarint("data section length", 32);
        var instLength = reader.ReadVarint("instruction section length", 32);
        var addrLength = reader.ReadVarint("address section length", 32);
        uint? expectedAdler = null;
        if ((indicator & VcdAdler32) != 0)
        {
            Span<byte> sum = stackalloc byte[4];
            reader.ReadExactly(sum, "window adler32");
            expectedAdler = BinaryPrimitives.ReadUInt32BigEndian(sum);
        }
        var headerBytes = (ulong)(reader.Offset - encodingStart);
        if (encodingLength != headerBytes + dataLength + instLength + addrLength)
            throw new VcdiffException(VcdiffError.Corrupt,
                $"{where}: delta encoding length {encodingLength} does not match its parts ({headerBytes} + data {dataLength} + instructions {instLength} + addresses {addrLength})");
        // Decoded sizes: ADD/RUN bytes cannot outnumber the window; instructions and addresses
        // of a sane encoder take far less than two bytes per output byte.
        var maxCode = 2L * state.Options.MaxWindowSize;
        var data = state.Data.Read(reader, (int)dataLength, (deltaIndicator & VcdDataComp) != 0, (long)targetLength, where);
        var inst = state.Instructions.Read(reader, (int)instLength, (deltaIndicator & VcdInstComp) != 0, maxCode, where);
        var addr = state.Addresses.Read(reader, (int)addrLength, (deltaIndicator & VcdAddrComp) != 0, maxCode, where);
        var target = state.Target(checked((int)targetLength));

        Execute(state, segment, segPosition, segLength, target, data, inst, addr, where);

        if (expectedAdler is { } expected)
        {
            var actual = Adler32.Compute(target);
            if (actual != expected)
                throw new VcdiffException(VcdiffError.ChecksumMismatch, $"{where}: adler32 of the decoded window is {actual:X8}, the delta says {expected:X8}");
        }
        state.Output.Write(target);
        state.Written += target.Length;
        return expectedAdler is not null;
    }

    /// <summary>Runs the instruction section (RFC 3284 section 5.4) into the target window.</summary>
    private static void Execute(WindowState state, SegmentReader? segment, long segPosition, long segLength,
        Span<byte> target, ReadOnlySpan<byte> dataBytes, ReadOnlySpan<byte> instBytes, ReadOnlySpan<byte> addrBytes, string where)
    {
        var data = new ByteReader(dataBytes, $"{where}: data section");
        var inst = new ByteReader(instBytes, $"{where}: instruction section");
        var addr = new ByteReader(addrBytes, $"{where}: address section");
        var cache = state.Cache;
        cache.Reset();
        var table = CodeTable.Default;
        var pos = 0;
        while (!inst.AtEnd)
        {
            var opcode = inst.Byte();
            var (first, second) = table[opcode];
            foreach (var half in (ReadOnlySpan<HalfInst>)[first, second])
            {
                if (half.Type == InstType.Noop)
                    continue;
                var size = half.Size != 0 ? half.Size : inst.Varint();
                if (size > target.Length - pos)
                    throw new VcdiffException(VcdiffError.Corrupt, $"{where}: {half.Type} of {size} bytes at target offset {pos} overruns the {target.Length}-byte window");
                var n = (int)size;
                switch (half.Type)
                {
                    case InstType.Add:
                        data.Take(n).CopyTo(target[pos..]);
                        break;
                    case InstType.Run:
                        target.Slice(pos, n).Fill(data.Byte());
                        break;
                    default:
                        var here = segLength + pos;
                        var address = cache.Decode(here, half.Mode, ref addr);
                        if (address < 0 || address >= here)
                            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: COPY address {address} at target offset {pos} is outside 0..{here - 1}");
                        Copy(segment, segPosition, segLength, target, pos, address, n);
                        break;
                }
                pos += n;
            }
        }
        if (pos != target.Length)
            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: instructions produce {pos} bytes, the window is {target.Length}");
        if (!data.AtEnd || !addr.AtEnd)
            throw new VcdiffException(VcdiffError.Corrupt, $"{where}: {data.Remaining} data and {addr.Remaining} address bytes left unused");
    }

    /// <summary>A COPY may start in the segment and run on into the target window, and may overlap its own output (a run).</summary>
    private static void Copy(SegmentReader? segment, long segPosition, long segLength, Span<byte> target, int pos, long address, int size)
    {
        if (address < segLength)
        {
            var fromSegment = (int)Math.Min(size, segLength - address);
            segment!.Read(segPosition + address, target.Slice(pos, fromSegment));
            pos += fromSegment;
            size -= fromSegment;
            address += fromSegment;
            if (size == 0)
                return;
        }
        var from = (int)(address - segLength);
        if (from + size <= pos)
        {
            target.Slice(from, size).CopyTo(target[pos..]);
            return;
        }
        for (var i = 0; i < size; i++)
            target[pos + i] = target[from + i];
    }

    /// <summary>Buffers reused across windows, the output, and the segment readers.</summary>
    private sealed class WindowState(Stream? source, Stream output, VcdiffOptions options)
    {
        private readonly SegmentReader? _source = source is null ? null : new SegmentReader(source);
        private readonly long _outputBase = output.CanSeek ? output.Position : 0;
        private SegmentReader? _written;
        private byte[] _target = [];

        public VcdiffOptions Options { get; } = options;
        public Stream Output { get; } = output;
        public long Written { get; set; }
        public AddressCache Cache { get; } = new();
        public bool Lzma { get; init; }
        public SectionBuffer Data { get; } = new("data");
        public SectionBuffer Instructions { get; } = new("instruction");
        public SectionBuffer Addresses { get; } = new("address");

        public Span<byte> Target(int length)
        {
            if (_target.Length < length)
                _target = new byte[length];
            return _target.AsSpan(0, length);
        }

        public SegmentReader SourceSegment(string where, long position, long length)
        {
            if (_source is null)
                throw new VcdiffException(VcdiffError.SourceMismatch, $"{where}: the delta copies from a source file but none was given");
            if (position > _source.Length - length)
                throw new VcdiffException(VcdiffError.SourceMismatch,
                    $"{where}: source segment {position}..{position + length} is past the end of the {_source.Length}-byte source (wrong source file?)");
            return _source;
        }

        public SegmentReader TargetSegment(string where, long position, long length)
        {
            if (position > Written - length)
                throw new VcdiffException(VcdiffError.Corrupt, $"{where}: VCD_TARGET segment {position}..{position + length} is past the {Written} bytes decoded so far");
            if (!Output.CanRead || !Output.CanSeek)
                throw new VcdiffException(VcdiffError.Unsupported, $"{where}: VCD_TARGET window needs a readable, seekable output");
            Output.Flush();
            _written ??= new SegmentReader(Output, _outputBase);
            return _written;
        }
    }

    /// <summary>
    /// One section kind's buffers and, with -S lzma, its xz stream. The raw buffer grows only as
    /// bytes actually arrive, so a corrupt length cannot allocate more than the delta holds.
    /// </summary>
    private sealed class SectionBuffer(string name)
    {
        private byte[] _raw = [];
        private byte[] _decoded = [];
        private XzSectionStream? _xz;

        public ReadOnlySpan<byte> Read(DeltaReader reader, int length, bool compressed, long maxDecoded, string where)
        {
            var filled = 0;
            while (filled < length)
            {
                if (_raw.Length == filled)
                    Array.Resize(ref _raw, (int)Math.Min(length, Math.Max(64 * 1024, 2L * _raw.Length)));
                var n = Math.Min(length, _raw.Length) - filled;
                reader.ReadExactly(_raw.AsSpan(filled, n), $"{name} section of {where}");
                filled += n;
            }
            var raw = _raw.AsSpan(0, length);
            if (!compressed)
            {
                if (length > maxDecoded)
                    throw new VcdiffException(VcdiffError.Corrupt, $"{where}: {name} section ({length} bytes) is longer than {maxDecoded}");
                return raw;
            }
            // xdelta3-second.h: the decoded size as a varint, then the compressed bytes.
            var header = new ByteReader(raw, $"{where}: {name} section");
            var size = header.Varint();
            if (size == 0 || size > maxDecoded)
                throw new VcdiffException(VcdiffError.Corrupt, $"{where}: compressed {name} section claims {size} decoded bytes (limit {maxDecoded})");
            if (_decoded.Length < size)
                _decoded = new byte[size];
            var decoded = _decoded.AsSpan(0, (int)size);
            (_xz ??= new XzSectionStream(name)).Decode(raw[(length - header.Remaining)..], decoded, where);
            return decoded;
        }
    }
}
