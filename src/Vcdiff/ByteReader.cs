namespace Vz.Vcdiff;

/// <summary>Bounds-checked reads over one in-memory section (VCDIFF or xz), with errors naming where.</summary>
internal ref struct ByteReader(ReadOnlySpan<byte> bytes, string where)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public string Where { get; } = where;

    public int Position { get; private set; }

    public readonly bool AtEnd => Position == _bytes.Length;

    public readonly int Remaining => _bytes.Length - Position;

    public byte Byte() => Position < _bytes.Length ? _bytes[Position++] : throw Error("ends early");

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
            throw Error("ends early");
        var span = _bytes.Slice(Position, count);
        Position += count;
        return span;
    }

    public int UInt16BigEndian() => (Byte() << 8) | Byte();

    public uint UInt32LittleEndian() => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>RFC 3284 section 2 varint: 7 bits per byte, big-endian; at most 63 bits here (sizes and addresses).</summary>
    public long Varint()
    {
        long value = 0;
        for (var i = 0; i < 10; i++)
        {
            var b = Byte();
            if (value > (long.MaxValue >> 7))
                throw Error("integer overflows");
            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0)
                return value;
        }
        throw Error("integer is too long");
    }

    /// <summary>xz's variable-length integer: 7 bits per byte, little-endian, at most 9 bytes.</summary>
    public ulong Vli()
    {
        ulong value = 0;
        for (var i = 0; i < 9; i++)
        {
            var b = Byte();
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
                return value;
        }
        throw Error("xz integer is too long");
    }

    public readonly VzException Error(string message) =>
        new(VcdiffErrors.Corrupt, $"{Where}: {message} (byte {Position})");
}
