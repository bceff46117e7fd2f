using System.Buffers.Binary;

namespace Vz.Vcdiff;

/// <summary>
/// LZMA2 chunks and the LZMA decoder under them (LZMA SDK's lzma-specification.txt). The
/// dictionary grows only as data arrives, up to the stream's dictionary size (which the caller
/// has checked against <see cref="VcdiffOptions.MaxDictionarySize"/>), so small deltas stay small.
/// </summary>
internal sealed class LzmaDecoder(int dictionarySize)
{
    private const int States = 12;
    private const int EndPosModelIndex = 14;

    private readonly int _dictLimit = dictionarySize;
    private byte[] _dict = new byte[Math.Min(64 * 1024, dictionarySize)];
    private int _dictPos;
    private int _filled;
    private long _total;
    private bool _needDictReset = true;
    private bool _needProps = true;

    /// <summary>The window and section being decoded, for error messages.</summary>
    public string Where { get; set; } = "";

    private int _lc, _lp, _pb;
    private int _state;
    private uint _rep0, _rep1, _rep2, _rep3;
    private readonly ushort[] _literal = new ushort[0x300 << 4];
    private readonly ushort[] _isMatch = new ushort[States << 4];
    private readonly ushort[] _isRep = new ushort[States];
    private readonly ushort[] _isRepG0 = new ushort[States];
    private readonly ushort[] _isRepG1 = new ushort[States];
    private readonly ushort[] _isRepG2 = new ushort[States];
    private readonly ushort[] _isRep0Long = new ushort[States << 4];
    private readonly ushort[] _posSlot = new ushort[4 << 6];
    private readonly ushort[] _posDecoders = new ushort[1 + 128 - EndPosModelIndex];
    private readonly ushort[] _align = new ushort[16];
    private readonly LengthDecoder _length = new();
    private readonly LengthDecoder _repLength = new();

    /// <summary>Control 0x01 (dictionary reset) or 0x02: stored bytes, copied to <paramref name="output"/>.</summary>
    public void Uncompressed(byte control, ReadOnlySpan<byte> bytes, Span<byte> output)
    {
        if (control == 0x01)
            ResetDictionary();
        else if (control != 0x02 || _needDictReset)
            throw Corrupt($"LZMA2 control byte 0x{control:X2} is invalid here");
        for (var i = 0; i < bytes.Length; i++)
            Emit(bytes[i], output, i);
    }

    /// <summary>Control 0x80..0xFF: an LZMA chunk with its own range coder, decoding to exactly <paramref name="output"/>.Length bytes.</summary>
    public void Chunk(byte control, byte? props, ReadOnlySpan<byte> packed, Span<byte> output)
    {
        var reset = (control >> 5) & 3;
        if (reset == 3)
            ResetDictionary();
        else if (_needDictReset)
            throw Corrupt("first LZMA2 chunk does not reset the dictionary");
        if (props is { } p)
            SetProperties(p);
        else if (_needProps)
            throw Corrupt("LZMA2 chunk has no properties");
        if (reset >= 1)
            ResetState();
        var rc = new RangeDecoder(packed, Where);
        Decode(ref rc, output);
        if (!rc.Finished)
            throw Corrupt("LZMA chunk did not end where its size says");
    }

    /// <summary>
    /// Makes room in the dictionary for <paramref name="upcoming"/> more bytes before a section is
    /// decoded: one jump to the size needed (doubling for small steps) instead of doubling byte by
    /// byte, which would leave a trail of smaller copies behind. Safe before the first wrap: the
    /// buffer only wraps once it has reached the dictionary size.
    /// </summary>
    public void Reserve(int upcoming)
    {
        if (_dict.Length >= _dictLimit)
            return;
        var wanted = Math.Min(_dictLimit, Math.Max((long)_filled + upcoming, 2L * _dict.Length));
        if (wanted > _dict.Length)
            Array.Resize(ref _dict, (int)wanted);
    }

    private void ResetDictionary()
    {
        _dictPos = 0;
        _filled = 0;
        _total = 0;
        _needDictReset = false;
    }

    private void SetProperties(byte props)
    {
        if (props >= 9 * 5 * 5)
            throw Corrupt($"LZMA properties byte {props} is invalid");
        _lc = props % 9;
        _lp = props / 9 % 5;
        _pb = props / 45;
        if (_lc + _lp > 4)
            throw Corrupt($"LZMA2 needs lc + lp <= 4, got lc {_lc} lp {_lp}");
        _needProps = false;
    }

    private void ResetState()
    {
        foreach (var probs in (ushort[][])[_literal, _isMatch, _isRep, _isRepG0, _isRepG1, _isRepG2, _isRep0Long, _posSlot, _posDecoders, _align])
            Array.Fill(probs, RangeDecoder.InitialProbability);
        _length.Reset();
        _repLength.Reset();
        _state = 0;
        _rep0 = _rep1 = _rep2 = _rep3 = 0;
    }

    private void Decode(ref RangeDecoder rc, Span<byte> output)
    {
        var pbMask = (1 << _pb) - 1;
        var lpMask = (1 << _lp) - 1;
        var i = 0;
        while (i < output.Length)
        {
            var posState = (int)(_total & pbMask);
            if (rc.Bit(ref _isMatch[(_state << 4) + posState]) == 0)
            {
                var previous = _filled > 0 ? Back(1) : 0;
                var probs = 0x300 * ((int)((_total & lpMask) << _lc) + (previous >> (8 - _lc)));
                var symbol = 1;
                if (_state >= 7)
                {
                    int match = Back(_rep0 + 1);
                    while (symbol < 0x100)
                    {
                        var matchBit = (match >> 7) & 1;
                        match <<= 1;
                        var bit = rc.Bit(ref _literal[probs + ((1 + matchBit) << 8) + symbol]);
                        symbol = (symbol << 1) | bit;
                        if (matchBit != bit)
                            break;
                    }
                }
                while (symbol < 0x100)
                    symbol = (symbol << 1) | rc.Bit(ref _literal[probs + symbol]);
                Emit((byte)symbol, output, i++);
                _state = _state < 4 ? 0 : _state < 10 ? _state - 3 : _state - 6;
                continue;
            }

            int length;
            if (rc.Bit(ref _isRep[_state]) != 0)
            {
                if (_filled == 0)
                    throw Corrupt("repeated match before any data");
                if (rc.Bit(ref _isRepG0[_state]) == 0)
                {
                    if (rc.Bit(ref _isRep0Long[(_state << 4) + posState]) == 0)
                    {
                        _state = _state < 7 ? 9 : 11;
                        Emit(Back(_rep0 + 1), output, i++);
                        continue;
                    }
                }
                else
                {
                    uint distance;
                    if (rc.Bit(ref _isRepG1[_state]) == 0)
                        distance = _rep1;
                    else
                    {
                        if (rc.Bit(ref _isRepG2[_state]) == 0)
                            distance = _rep2;
                        else
                        {
                            distance = _rep3;
                            _rep3 = _rep2;
                        }
                        _rep2 = _rep1;
                    }
                    _rep1 = _rep0;
                    _rep0 = distance;
                }
                length = _repLength.Decode(ref rc, posState);
                _state = _state < 7 ? 8 : 11;
            }
            else
            {
                _rep3 = _rep2;
                _rep2 = _rep1;
                _rep1 = _rep0;
                length = _length.Decode(ref rc, posState);
                _state = _state < 7 ? 7 : 10;
                _rep0 = DecodeDistance(ref rc, length);
                if (_rep0 == uint.MaxValue)
                    throw Corrupt("LZMA end marker inside an LZMA2 chunk");
            }
            length += 2;
            if (length > output.Length - i)
                throw Corrupt($"LZMA match of {length} bytes runs past the chunk");
            for (var k = 0; k < length; k++)
                Emit(Back(_rep0 + 1), output, i++);
        }
    }

    private uint DecodeDistance(ref RangeDecoder rc, int length)
    {
        var lengthState = Math.Min(length, 3);
        var slot = rc.BitTree(_posSlot, lengthState << 6, 6);
        if (slot < 4)
            return (uint)slot;
        var direct = (slot >> 1) - 1;
        var distance = (uint)((2 | (slot & 1)) << direct);
        if (slot < EndPosModelIndex)
            return distance + rc.ReverseBitTree(_posDecoders, (int)distance - slot, direct);
        distance += rc.DirectBits(direct - 4) << 4;
        return distance + rc.ReverseBitTree(_align, 0, 4);
    }

    /// <summary>The byte <paramref name="distance"/> back (1 = the last byte written).</summary>
    private byte Back(uint distance)
    {
        if (distance > (uint)_filled)
            throw Corrupt($"LZMA distance {distance} reaches before the {_filled} bytes in the dictionary");
        var index = _dictPos - (int)distance;
        return _dict[index < 0 ? index + _dict.Length : index];
    }

    private void Emit(byte b, Span<byte> output, int at)
    {
        if (_dictPos == _dict.Length)
        {
            if (_dict.Length < _dictLimit)
                Array.Resize(ref _dict, (int)Math.Min(2L * _dict.Length, _dictLimit));
            else
                _dictPos = 0;
        }
        _dict[_dictPos++] = b;
        if (_filled < _dict.Length)
            _filled++;
        _total++;
        output[at] = b;
    }

    private VzException Corrupt(string message) => new(VcdiffErrors.Corrupt, $"{Where}: {message}");

    private sealed class LengthDecoder
    {
        private ushort _choice;
        private ushort _choice2;
        private readonly ushort[] _low = new ushort[16 << 3];
        private readonly ushort[] _mid = new ushort[16 << 3];
        private readonly ushort[] _high = new ushort[256];

        public void Reset()
        {
            _choice = _choice2 = RangeDecoder.InitialProbability;
            Array.Fill(_low, RangeDecoder.InitialProbability);
            Array.Fill(_mid, RangeDecoder.InitialProbability);
            Array.Fill(_high, RangeDecoder.InitialProbability);
        }

        public int Decode(ref RangeDecoder rc, int posState)
        {
            if (rc.Bit(ref _choice) == 0)
                return rc.BitTree(_low, posState << 3, 3);
            if (rc.Bit(ref _choice2) == 0)
                return 8 + rc.BitTree(_mid, posState << 3, 3);
            return 16 + rc.BitTree(_high, 0, 8);
        }
    }
}

/// <summary>The LZMA range decoder over one chunk's packed bytes.</summary>
internal ref struct RangeDecoder
{
    public const ushort InitialProbability = 1 << 10;
    private const int ModelBits = 11;
    private const int MoveBits = 5;
    private const uint Top = 1u << 24;

    private readonly ReadOnlySpan<byte> _input;
    private readonly string _where;
    private int _pos;
    private uint _range;
    private uint _code;

    public RangeDecoder(ReadOnlySpan<byte> input, string where)
    {
        _input = input;
        _where = where;
        if (input.Length < 5 || input[0] != 0)
            throw new VzException(VcdiffErrors.Corrupt, $"{where}: LZMA chunk does not start a range coder");
        _code = BinaryPrimitives.ReadUInt32BigEndian(input[1..5]);
        _range = uint.MaxValue;
        _pos = 5;
    }

    public readonly bool Finished => _code == 0 && _pos == _input.Length;

    public int Bit(ref ushort probability)
    {
        var bound = (_range >> ModelBits) * probability;
        int bit;
        if (_code < bound)
        {
            _range = bound;
            probability += (ushort)(((1 << ModelBits) - probability) >> MoveBits);
            bit = 0;
        }
        else
        {
            _range -= bound;
            _code -= bound;
            probability -= (ushort)(probability >> MoveBits);
            bit = 1;
        }
        Normalize();
        return bit;
    }

    public int BitTree(ushort[] probs, int offset, int bits)
    {
        var m = 1;
        for (var i = 0; i < bits; i++)
            m = (m << 1) + Bit(ref probs[offset + m]);
        return m - (1 << bits);
    }

    public uint ReverseBitTree(ushort[] probs, int offset, int bits)
    {
        var m = 1;
        uint symbol = 0;
        for (var i = 0; i < bits; i++)
        {
            var bit = Bit(ref probs[offset + m]);
            m = (m << 1) + bit;
            symbol |= (uint)bit << i;
        }
        return symbol;
    }

    public uint DirectBits(int count)
    {
        uint result = 0;
        for (var i = 0; i < count; i++)
        {
            _range >>= 1;
            _code -= _range;
            var t = 0u - (_code >> 31);
            _code += _range & t;
            Normalize();
            result = (result << 1) + (t + 1);
        }
        return result;
    }

    private void Normalize()
    {
        if (_range >= Top)
            return;
        if (_pos >= _input.Length)
            throw new VzException(VcdiffErrors.Corrupt, $"{_where}: LZMA chunk ends early");
        _range <<= 8;
        _code = (_code << 8) | _input[_pos++];
    }
}
