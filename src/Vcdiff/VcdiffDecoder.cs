using System.Buffers.Binary;

namespace Vz.Vcdiff;

/// <summary>
/// Limits that keep a hostile or corrupt delta from taking the node's memory. Every buffer the
/// decoder allocates is bounded by one of these (README "Memory"); a delta that asks for more
/// fails with <see cref="VcdiffErrors.OverLimit"/> before anything is allocated for it.
/// </summary>
public sealed record VcdiffOptions
{
    public const int MiB = 1024 * 1024;

    /// <summary>Largest target window accepted; xdelta3 never writes more than 16 MiB (XD3_HARDMAXWINSIZE).</summary>
    public int MaxWindowSize { get; init; } = 16 * MiB;

    /// <summary>Largest application header accepted (xdelta3 stores file names there).</summary>
    public int MaxAppHeaderSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Largest LZMA2 dictionary a -S lzma stream may declare. xdelta3's command line always
    /// writes dictionary byte 12 (256 KiB: it never passes a level to liblzma); 8 MiB is xz
    /// preset 6. Each of the three section streams grows its dictionary up to this.
    /// </summary>
    public int MaxDictionarySize { get; init; } = 8 * MiB;

    /// <summary>
    /// What a window's three sections may hold together once decoded: ADD/RUN data cannot
    /// outnumber the target bytes, and xdelta3's instructions and addresses take well under
    /// one byte per target byte (measured at most 0.5); twice the window leaves room for any
    /// sane encoder.
    /// </summary>
    public static long SectionBudget(long targetLength) => 2 * targetLength + 4096;

    /// <summary>The most the decoder's buffers hold at once (README "Memory"): target, sections, three dictionaries, caches.</summary>
    public long BufferBound =>
        MaxWindowSize + SectionBudget(MaxWindowSize) + 3L * MaxDictionarySize + MaxAppHeaderSize
        + SegmentReader.BlockSize * SegmentReader.BlockCount + 4 * MiB;
}

/// <summary>What a successful decode produced.</summary>
public sealed record VcdiffResult(int Windows, long TargetLength, int ChecksummedWindows, byte[]? AppHeader);

/// <summary>
/// Streaming VCDIFF decoder (RFC 3284, https://www.rfc-editor.org/rfc/rfc3284) with the
/// xdelta3 extensions VCD_APPHEADER and VCD_ADLER32. Memory is one target window, its three
/// sections and a small block cache over the source: the source is read by seeking, the
/// delta front to back, and the output written front to back.
/// </summary>
public static partial class VcdiffDecoder
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

    /// <summary>
    /// Decodes <paramref name="delta"/> against <paramref name="source"/> (seekable, or null for
    /// deltas without VCD_SOURCE windows) into <paramref name="output"/>. The output must be
    /// readable and seekable only if the delta has VCD_TARGET windows.
    /// </summary>
    /// <exception cref="VzException">With a <see cref="VcdiffErrors"/> code: the delta is corrupt,
    /// truncated, unsupported, over the limits, or does not fit the source.</exception>
    public static VcdiffResult Decode(Stream? source, Stream delta, Stream output, VcdiffOptions? options = null)
    {
        options ??= new VcdiffOptions();
        if (source is { CanSeek: false })
            throw new VzException(VcdiffErrors.Unsupported, "the source cannot seek (a pipe?): VCDIFF copies from anywhere in it; give a file");
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
            throw new VzException(VcdiffErrors.BadHeader, $"not a VCDIFF delta: header bytes {Convert.ToHexString(magic)}, expected D6C3C400");
        var indicator = reader.ReadByte("header indicator");
        if ((indicator & ~(VcdDecompress | VcdCodeTable | VcdAppHeader)) != 0)
            throw new VzException(VcdiffErrors.BadHeader, $"header indicator 0x{indicator:X2} at delta offset 4 has unknown bits");
        var lzma = false;
        if ((indicator & VcdDecompress) != 0)
        {
            var id = reader.ReadByte("secondary compressor id");
            if (id != LzmaId)
                throw new VzException(VcdiffErrors.Unsupported,
                    $"delta uses secondary compressor {SecondaryName(id)} (header offset 5); supported: none or lzma (xdelta3 -S none / -S lzma)");
            lzma = true;
        }
        if ((indicator & VcdCodeTable) != 0)
            throw new VzException(VcdiffErrors.Unsupported, "delta uses an application-defined code table (VCD_CODETABLE); only the RFC 3284 default table is supported");
        if ((indicator & VcdAppHeader) == 0)
            return (null, lzma);
        var length = reader.ReadVarint("application header length", 32);
        if (length > (ulong)options.MaxAppHeaderSize)
            throw new VzException(VcdiffErrors.BadHeader, $"application header length {length} exceeds {options.MaxAppHeaderSize}");
        var app = new byte[(int)length];
        reader.ReadExactly(app, "application header");
        if (XdeltaAppHeader.ExternalCompression(app) is { } refusal)
            throw new VzException(VcdiffErrors.Unsupported, refusal);
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
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: window indicator 0x{indicator:X2} is invalid");

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
            throw new VzException(VcdiffErrors.OverLimit, $"{where}: target window length {targetLength} exceeds the limit of {state.Options.MaxWindowSize} bytes");
        var deltaIndicator = reader.ReadByte("delta indicator");
        if ((deltaIndicator & ~(VcdDataComp | VcdInstComp | VcdAddrComp)) != 0 || (deltaIndicator != 0 && !state.Lzma))
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: delta indicator 0x{deltaIndicator:X2} is invalid{(state.Lzma ? "" : " without a secondary compressor")}");
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
            throw new VzException(VcdiffErrors.Corrupt,
                $"{where}: delta encoding length {encodingLength} does not match its parts ({headerBytes} + data {dataLength} + instructions {instLength} + addresses {addrLength})");

        var t = (int)targetLength;
        var dataComp = (deltaIndicator & VcdDataComp) != 0;
        var instComp = (deltaIndicator & VcdInstComp) != 0;
        var addrComp = (deltaIndicator & VcdAddrComp) != 0;
        // ADD and RUN take at least one target byte per data byte: more data than target is corrupt.
        if (!dataComp && dataLength > targetLength)
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: data section of {dataLength} bytes is longer than the {t}-byte target window");
        var budget = VcdiffOptions.SectionBudget(t);
        var plain = (dataComp ? 0 : dataLength) + (instComp ? 0 : instLength) + (addrComp ? 0 : addrLength);
        if (plain > (ulong)budget)
            throw OverBudget(where, (long)plain, budget, t);

        var sections = state.Sections;
        sections.Clear();
        var plainInst = instComp ? 0 : (long)instLength;
        var plainAddr = addrComp ? 0 : (long)addrLength;
        var data = sections.Read(reader, SectionKind.Data, (long)dataLength, dataComp, plainInst + plainAddr, t, where);
        var inst = sections.Read(reader, SectionKind.Instructions, (long)instLength, instComp, plainAddr, t, where);
        var addr = sections.Read(reader, SectionKind.Addresses, (long)addrLength, addrComp, 0, t, where);

        var target = Execute(state, segment, segPosition, segLength, t, sections.Slice(data), sections.Slice(inst), sections.Slice(addr), where);

        if (expectedAdler is { } expected)
        {
            var actual = Adler32.Compute(target);
            if (actual != expected)
                throw new VzException(VcdiffErrors.ChecksumMismatch, $"{where}: adler32 of the decoded window is {actual:X8}, the delta says {expected:X8}");
        }
        state.Output.Write(target);
        state.Written += target.Length;
        return expectedAdler is not null;
    }

    internal static VzException OverBudget(string where, long needed, long budget, int targetLength) =>
        new(VcdiffErrors.OverLimit,
            $"{where}: its sections need {needed} bytes, over the limit of {budget} for a {targetLength}-byte window (2 x window + 4 KiB)");

    /// <summary>Runs the instruction section (RFC 3284 section 5.4) into the target window; returns the window.</summary>
    private static Span<byte> Execute(WindowState state, SegmentReader? segment, long segPosition, long segLength,
        int targetLength, ReadOnlySpan<byte> dataBytes, ReadOnlySpan<byte> instBytes, ReadOnlySpan<byte> addrBytes, string where)
    {
        var data = new ByteReader(dataBytes, $"{where}: data section");
        var inst = new ByteReader(instBytes, $"{where}: instruction section");
        var addr = new ByteReader(addrBytes, $"{where}: address section");
        var cache = state.Cache;
        cache.Reset();
        var table = CodeTable.Default;
        var target = state.Target(targetLength);
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
                if (size > targetLength - pos)
                    throw new VzException(VcdiffErrors.Corrupt, $"{where}: {half.Type} of {size} bytes at target offset {pos} overruns the {targetLength}-byte window");
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
                            throw new VzException(VcdiffErrors.Corrupt, $"{where}: COPY address {address} at target offset {pos} is outside 0..{here - 1}");
                        Copy(segment, segPosition, segLength, target, pos, address, n);
                        break;
                }
                pos += n;
            }
        }
        if (pos != targetLength)
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: instructions produce {pos} bytes, the window is {targetLength}");
        if (!data.AtEnd || !addr.AtEnd)
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: {data.Remaining} data and {addr.Remaining} address bytes left unused");
        return target;
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
        public WindowSections Sections { get; } = new(options);

        /// <summary>The window buffer, reused across windows; allocated only once a window's sections have all arrived.</summary>
        public Span<byte> Target(int length)
        {
            if (_target.Length < length)
                _target = new byte[length];
            return _target.AsSpan(0, length);
        }

        public SegmentReader SourceSegment(string where, long position, long length)
        {
            if (_source is null)
                throw new VzException(VcdiffErrors.SourceMismatch, $"{where}: the delta copies from a source file but none was given");
            if (position > _source.Length - length)
                throw new VzException(VcdiffErrors.SourceMismatch,
                    $"{where}: source segment {position}..{position + length} is past the end of the {_source.Length}-byte source (wrong source file?)");
            return _source;
        }

        public SegmentReader TargetSegment(string where, long position, long length)
        {
            if (position > Written - length)
                throw new VzException(VcdiffErrors.Corrupt, $"{where}: VCD_TARGET segment {position}..{position + length} is past the {Written} bytes decoded so far");
            if (!Output.CanRead || !Output.CanSeek)
                throw new VzException(VcdiffErrors.Unsupported, $"{where}: VCD_TARGET window needs a readable, seekable output");
            Output.Flush();
            _written ??= new SegmentReader(Output, _outputBase);
            return _written;
        }
    }
}
