namespace Vz.Vcdiff;

/// <summary>
/// Random reads from a seekable stream (the source file, or for VCD_TARGET windows the output
/// written so far) through a small LRU block cache, so a window's segment is never loaded
/// whole: memory stays at <c>BlockSize * BlockCount</c> however large the source is.
/// </summary>
internal sealed class SegmentReader
{
    public const int BlockSize = 64 * 1024;
    public const int BlockCount = 16;

    private readonly Stream _stream;
    private readonly byte[][] _blocks = new byte[BlockCount][];
    private readonly long[] _blockIndex = new long[BlockCount];
    private readonly int[] _valid = new int[BlockCount];
    private readonly long[] _used = new long[BlockCount];
    private long _tick;

    private readonly long _origin;

    /// <summary><paramref name="origin"/>: where position 0 is in the stream (the output may not start at 0).</summary>
    public SegmentReader(Stream stream, long origin = 0)
    {
        _stream = stream;
        _origin = origin;
        Array.Fill(_blockIndex, -1);
    }

    public long Length => _stream.Length - _origin;

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="position"/>; the caller checked the range.</summary>
    public void Read(long position, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            var block = position / BlockSize;
            var within = (int)(position % BlockSize);
            var slot = Slot(block, within + 1);
            var n = Math.Min(destination.Length, _valid[slot] - within);
            if (n <= 0)
                throw new VzException(VcdiffErrors.SourceMismatch, $"source ended at {_origin + position} while decoding (changed during the patch?)");
            _blocks[slot].AsSpan(within, n).CopyTo(destination);
            destination = destination[n..];
            position += n;
        }
    }

    private int Slot(long block, int needed)
    {
        var victim = 0;
        for (var i = 0; i < BlockCount; i++)
        {
            if (_blockIndex[i] == block && _valid[i] >= needed)
            {
                _used[i] = ++_tick;
                return i;
            }
            if (_used[i] < _used[victim])
                victim = i;
        }
        // The output grows while it is read (VCD_TARGET), so a short block is re-read rather than trusted.
        for (var i = 0; i < BlockCount; i++)
            if (_blockIndex[i] == block)
                victim = i;
        _blocks[victim] ??= new byte[BlockSize];
        var saved = _stream.Position;
        _stream.Position = _origin + block * BlockSize;
        var filled = 0;
        int got;
        while (filled < BlockSize && (got = _stream.Read(_blocks[victim], filled, BlockSize - filled)) > 0)
            filled += got;
        _stream.Position = saved;
        _blockIndex[victim] = block;
        _valid[victim] = filled;
        _used[victim] = ++_tick;
        return victim;
    }
}
