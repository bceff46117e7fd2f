namespace Vz.Vcdiff;

/// <summary>
/// xdelta3's "lzma" secondary compressor (xdelta3-lzma.h), decode side. Each of the three
/// section kinds (data, instructions, addresses) is one .xz stream (LZMA2 filter, no check)
/// that runs across all windows; the encoder sync-flushes it at every section, so a section
/// holds whole LZMA2 chunks and the dictionary carries over from window to window.
/// Formats: https://tukaani.org/xz/xz-file-format.txt (stream and block headers) and the
/// LZMA2/LZMA decoder of the LZMA SDK specification (lzma-specification.txt).
/// </summary>
internal sealed class XzSectionStream(int maxDictionarySize)
{
    private static ReadOnlySpan<byte> XzMagic => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];

    // An LZMA2 chunk packs at most 64 KiB, and stores at most 64 KiB uncompressed.
    private readonly byte[] _chunk = new byte[64 * 1024];
    private LzmaDecoder? _lzma;

    /// <summary>Decodes the rest of one section to exactly <paramref name="size"/> bytes appended to <paramref name="output"/>.</summary>
    public void Decode(SectionInput input, WindowSections output, int size)
    {
        _lzma ??= new LzmaDecoder(ReadHeaders(input, maxDictionarySize));
        _lzma.Reserve(size);
        var produced = 0;
        while (produced < size)
        {
            var chunkStart = input.Position;
            _lzma.Where = $"{input.Where} (LZMA2 chunk at section byte {chunkStart})";
            var control = input.Byte();
            if (control == 0x00)
                throw input.Error($"LZMA2 stream ends after {produced} of {size} bytes");
            if (control is > 0x02 and < 0x80)
                throw input.Error($"LZMA2 control byte 0x{control:X2} is invalid");
            if (control < 0x80)
            {
                var stored = input.UInt16BigEndian() + 1;
                if (stored > size - produced)
                    throw input.Error($"LZMA2 chunk of {stored} bytes is longer than the section's remaining {size - produced}");
                var bytes = _chunk.AsSpan(0, stored);
                input.ReadExactly(bytes);
                _lzma.Uncompressed(control, bytes, output.Append(stored));
                produced += stored;
                continue;
            }
            var unpacked = ((control & 0x1F) << 16) + input.UInt16BigEndian() + 1;
            var packed = input.UInt16BigEndian() + 1;
            byte? props = ((control >> 5) & 3) >= 2 ? input.Byte() : null;
            if (unpacked > size - produced)
                throw input.Error($"LZMA2 chunk of {unpacked} bytes is longer than the section's remaining {size - produced}");
            var packedBytes = _chunk.AsSpan(0, packed);
            input.ReadExactly(packedBytes);
            _lzma.Chunk(control, props, packedBytes, output.Append(unpacked));
            produced += unpacked;
        }
        if (input.Remaining > 0)
            throw input.Error($"{input.Remaining} bytes left after {size} decoded bytes");
    }

    /// <summary>The .xz stream header and the one block header; returns the LZMA2 dictionary size.</summary>
    private static int ReadHeaders(SectionInput input, int maxDictionarySize)
    {
        Span<byte> stream = stackalloc byte[12];
        input.ReadExactly(stream);
        var reader = new ByteReader(stream, $"{input.Where}: xz stream header");
        if (!reader.Take(6).SequenceEqual(XzMagic))
            throw reader.Error("no .xz stream header");
        var flags = reader.Take(2);
        if (Crc32.Compute(flags) != reader.UInt32LittleEndian())
            throw reader.Error("xz stream header CRC32 mismatch");
        if (flags[0] != 0 || flags[1] > 0x0F)
            throw reader.Error($"xz stream flags {flags[0]:X2}{flags[1]:X2} are invalid");

        // Block header: its first byte gives its size, (n + 1) * 4 bytes, at most 1024.
        Span<byte> header = stackalloc byte[1024];
        var sizeByte = input.Byte();
        if (sizeByte == 0)
            throw input.Error("xz stream has no block");
        var headerSize = (sizeByte + 1) * 4;
        header[0] = sizeByte;
        input.ReadExactly(header[1..headerSize]);
        reader = new ByteReader(header[..headerSize], $"{input.Where}: xz block header");
        reader.Byte();
        var blockFlags = reader.Byte();
        if ((blockFlags & 0x3C) != 0 || (blockFlags & 0x03) != 0)
            throw reader.Error($"xz block flags 0x{blockFlags:X2}: only a single LZMA2 filter is supported");
        if ((blockFlags & 0x40) != 0)
            reader.Vli();
        if ((blockFlags & 0x80) != 0)
            reader.Vli();
        var filter = reader.Vli();
        var propsSize = reader.Vli();
        if (filter != 0x21 || propsSize != 1)
            throw reader.Error($"xz filter 0x{filter:X} is not LZMA2");
        var dictByte = reader.Byte();
        if (dictByte > 40)
            throw reader.Error($"LZMA2 dictionary size byte {dictByte} is invalid");
        while (reader.Position < headerSize - 4)
            if (reader.Byte() != 0)
                throw reader.Error("xz block header padding is not zero");
        if (Crc32.Compute(header[..(headerSize - 4)]) != reader.UInt32LittleEndian())
            throw reader.Error("xz block header CRC32 mismatch");
        // xz-file-format.txt 5.3.1: byte 40 is 4 GiB - 1, else (2 | bit 0) << (byte / 2 + 11).
        var dictionary = dictByte == 40 ? uint.MaxValue : (2u | (dictByte & 1u)) << (dictByte / 2 + 11);
        if (dictionary > (uint)maxDictionarySize)
            throw new VzException(VcdiffErrors.OverLimit,
                $"{input.Where}: LZMA2 dictionary of {dictionary} bytes (byte {dictByte}) exceeds the limit of {maxDictionarySize} (xdelta3 writes 262144, byte 12)");
        return (int)dictionary;
    }
}

/// <summary>CRC-32 (IEEE 802.3, as xz uses for its headers).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
