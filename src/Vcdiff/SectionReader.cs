namespace Vz.Vcdiff;

/// <summary>Reads bytes and RFC 3284 varints (section 2) from one in-memory section of a window.</summary>
internal ref struct SectionReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly string _name;
    private readonly string _where;
    private int _pos;

    public SectionReader(ReadOnlySpan<byte> bytes, string name, string where)
    {
        _bytes = bytes;
        _name = name;
        _where = where;
        _pos = 0;
    }

    public readonly bool AtEnd => _pos == _bytes.Length;

    public readonly int Remaining => _bytes.Length - _pos;

    public byte ReadByte()
    {
        if (_pos >= _bytes.Length)
            throw Overrun();
        return _bytes[_pos++];
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > _bytes.Length - _pos)
            throw Overrun();
        var span = _bytes.Slice(_pos, count);
        _pos += count;
        return span;
    }

    /// <summary>Varints inside a window are at most 63 bits here (sizes and addresses).</summary>
    public long ReadVarint()
    {
        long value = 0;
        for (var i = 0; i < 10; i++)
        {
            var b = ReadByte();
            if (value > (long.MaxValue >> 7))
                throw new VcdiffException(VcdiffError.Corrupt, $"{_where}: {_name} section: integer overflows at byte {_pos - 1}");
            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0)
                return value;
        }
        throw new VcdiffException(VcdiffError.Corrupt, $"{_where}: {_name} section: integer too long at byte {_pos}");
    }

    private readonly VcdiffException Overrun() =>
        new(VcdiffError.Corrupt, $"{_where}: {_name} section ends early (length {_bytes.Length})");
}
