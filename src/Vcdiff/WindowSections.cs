namespace Vz.Vcdiff;

internal enum SectionKind
{
    Data = 0,
    Instructions = 1,
    Addresses = 2,
}

/// <summary>
/// A window's three decoded sections in one buffer, reused across windows and grown to exactly
/// what a window declares (checked against the budget first), and with -S lzma the three xz
/// streams that run across windows. A compressed section is decoded chunk by chunk as it streams
/// in: only its decoded bytes are held, never the compressed ones.
/// </summary>
internal sealed class WindowSections(VcdiffOptions options)
{
    private readonly XzSectionStream?[] _xz = new XzSectionStream?[3];
    private readonly long _capacityLimit = VcdiffOptions.SectionBudget(options.MaxWindowSize);
    private byte[] _bytes = [];

    /// <summary>Decoded bytes held for the current window.</summary>
    public int Length { get; private set; }

    public void Clear() => Length = 0;

    public ReadOnlySpan<byte> Slice((int Start, int Length) range) => _bytes.AsSpan(range.Start, range.Length);

    /// <summary>
    /// Reads the next section, <paramref name="wireLength"/> bytes of delta, and returns where its
    /// decoded bytes are. Data may not decode to more than the window; all three together may not
    /// exceed <see cref="VcdiffOptions.SectionBudget"/>.
    /// </summary>
    /// <param name="plainAfter">Lengths of the uncompressed sections still to come in this window, reserved with this one so the buffer grows once.</param>
    public (int Start, int Length) Read(DeltaReader reader, SectionKind kind, long wireLength, bool compressed, long plainAfter, int targetLength, string where)
    {
        var start = Length;
        var name = Name(kind);
        var budget = VcdiffOptions.SectionBudget(targetLength);
        if (!compressed)
        {
            if (Length + wireLength + plainAfter > budget)
                throw VcdiffDecoder.OverBudget(where, Length + wireLength + plainAfter, budget, targetLength);
            // Sized to the declared lengths at once (within the budget): growing step by step would
            // leave old buffers as garbage and touch up to twice the pages.
            Reserve(Length + wireLength + plainAfter);
            reader.ReadExactly(Append((int)wireLength), $"{name} section of {where}");
            return (start, Length - start);
        }

        var input = new SectionInput(reader, wireLength, $"{where}: lzma {name} section");
        // xdelta3-second.h: the decoded size as a varint, then the compressed bytes.
        var size = input.Varint();
        if (size == 0)
            throw input.Error($"compressed {name} section claims 0 decoded bytes");
        if (kind == SectionKind.Data && size > targetLength)
            throw input.Error($"compressed data section claims {size} decoded bytes, more than the {targetLength}-byte target window");
        if (Length + size + plainAfter > budget)
            throw VcdiffDecoder.OverBudget(where, Length + size + plainAfter, budget, targetLength);
        Reserve(Length + size + plainAfter);
        (_xz[(int)kind] ??= new XzSectionStream(options.MaxDictionarySize)).Decode(input, this, (int)size);
        return (start, Length - start);
    }

    /// <summary>Hands out the next <paramref name="count"/> bytes of the buffer, reserved before, for the caller to fill.</summary>
    public Span<byte> Append(int count)
    {
        if (_bytes.Length < (long)Length + count)
            throw new InvalidOperationException($"section buffer holds {_bytes.Length} bytes, {Length + (long)count} needed: a Reserve is missing");
        var span = _bytes.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Grows the buffer to exactly <paramref name="capacity"/> bytes (keeping what it holds); callers checked the budget.</summary>
    private void Reserve(long capacity)
    {
        if (capacity > _capacityLimit)
            throw new InvalidOperationException($"section buffer asked for {capacity} bytes past its limit {_capacityLimit}: a budget check is missing");
        if (_bytes.Length < capacity)
            Array.Resize(ref _bytes, (int)capacity);
    }

    private static string Name(SectionKind kind) => kind switch
    {
        SectionKind.Data => "data",
        SectionKind.Instructions => "instruction",
        _ => "address",
    };
}

/// <summary>
/// One section's bytes as they stream from the delta: reads may not run past the section's
/// declared length, and errors name the section and the byte within it.
/// </summary>
internal sealed class SectionInput(DeltaReader reader, long length, string where)
{
    public string Where { get; } = where;

    /// <summary>Bytes of the section consumed so far.</summary>
    public long Position { get; private set; }

    public long Remaining => length - Position;

    public byte Byte()
    {
        if (Remaining < 1)
            throw Error("ends early");
        Position++;
        return reader.ReadByte(Where);
    }

    public void ReadExactly(Span<byte> destination)
    {
        if (destination.Length > Remaining)
            throw Error($"ends early ({Remaining} bytes left, {destination.Length} needed)");
        reader.ReadExactly(destination, Where);
        Position += destination.Length;
    }

    public int UInt16BigEndian() => (Byte() << 8) | Byte();

    /// <summary>RFC 3284 varint of at most 31 bits (a decoded section size).</summary>
    public long Varint()
    {
        long value = 0;
        for (var i = 0; i < 5; i++)
        {
            var b = Byte();
            value = (value << 7) | (long)(b & 0x7F);
            if (value > int.MaxValue)
                throw Error("decoded size overflows 31 bits");
            if ((b & 0x80) == 0)
                return value;
        }
        throw Error("decoded size is too long");
    }

    public VzException Error(string message) => new(VcdiffErrors.Corrupt, $"{Where}: {message} (section byte {Position})");
}
