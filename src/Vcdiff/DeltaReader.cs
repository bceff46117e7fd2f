namespace Vz.Vcdiff;

/// <summary>
/// Reads the delta stream front to back (it may be a pipe) and tracks the offset, so
/// every error can name where in the delta it happened.
/// </summary>
internal sealed class DeltaReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public DeltaReader(Stream stream) => _stream = stream;

    /// <summary>Bytes consumed so far.</summary>
    public long Offset { get; private set; }

    /// <summary>True at a clean end of the delta (no more windows).</summary>
    public bool AtEnd => _start == _end && Fill() == 0;

    public byte ReadByte(string what)
    {
        if (_start == _end && Fill() == 0)
            throw Truncated(what);
        Offset++;
        return _buffer[_start++];
    }

    public void ReadExactly(Span<byte> destination, string what)
    {
        while (destination.Length > 0)
        {
            if (_start == _end && Fill() == 0)
                throw Truncated(what);
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsSpan(_start, n).CopyTo(destination);
            _start += n;
            Offset += n;
            destination = destination[n..];
        }
    }

    /// <summary>An RFC 3284 varint of at most <paramref name="maxBits"/> bits (32 for sizes, 64 for source positions).</summary>
    public ulong ReadVarint(string what, int maxBits)
    {
        var at = Offset;
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            var b = ReadByte(what);
            if (value >> (maxBits - 7) != 0)
                throw new VzException(VcdiffErrors.Corrupt, $"{what} at delta offset {at} overflows {maxBits} bits");
            value = (value << 7) | (uint)(b & 0x7F);
            if ((b & 0x80) == 0)
                return value;
        }
        throw new VzException(VcdiffErrors.Corrupt, $"{what} at delta offset {at} is too long");
    }

    private int Fill()
    {
        _start = 0;
        _end = _stream.Read(_buffer, 0, _buffer.Length);
        return _end;
    }

    private VzException Truncated(string what) =>
        new(VcdiffErrors.Truncated, $"delta is truncated at offset {Offset} (reading {what})");
}
