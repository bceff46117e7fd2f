namespace Vz.Vcdiff;

/// <summary>
/// xdelta3's "lzma" secondary compressor (xdelta3-lzma.h), decode side. Each of the three
/// section kinds (data, instructions, addresses) is one .xz stream (LZMA2 filter, no check)
/// that runs across all windows; the encoder sync-flushes it at every section, so a section
/// holds whole LZMA2 chunks and the dictionary carries over from window to window.
/// Formats: https://tukaani.org/xz/xz-file-format.txt (stream and block headers) and the
/// LZMA2/LZMA decoder of the LZMA SDK specification (lzma-specification.txt).
/// </summary>
internal sealed class XzSectionStream
{
    private static ReadOnlySpan<byte> XzMagic => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];

    private readonly string _name;
    private LzmaDecoder? _lzma;

    public XzSectionStream(string name) => _name = name;

    /// <summary>Decodes one section's bytes to exactly <paramref name="output"/>.Length bytes.</summary>
    public void Decode(ReadOnlySpan<byte> input, Span<byte> output, string where)
    {
        var reader = new ByteReader(input, $"{where}: lzma {_name} section");
        _lzma ??= new LzmaDecoder(ReadHeaders(ref reader));
        _lzma.Where = reader.Where;
        var produced = 0;
        while (produced < output.Length)
        {
            var control = reader.Byte();
            if (control == 0x00)
                throw reader.Error($"LZMA2 stream ends after {produced} of {output.Length} bytes");
            produced += control < 0x80
                ? _lzma.Uncompressed(control, ref reader, output[produced..])
                : _lzma.Chunk(control, ref reader, output[produced..]);
        }
        if (!reader.AtEnd)
            throw reader.Error($"{reader.Remaining} bytes left after {output.Length} decoded bytes");
    }

    /// <summary>The .xz stream header and the one block header; returns the LZMA2 dictionary size.</summary>
    private static uint ReadHeaders(ref ByteReader reader)
    {
        if (!reader.Take(6).SequenceEqual(XzMagic))
            throw reader.Error("no .xz stream header");
        var flags = reader.Take(2);
        if (Crc32.Compute(flags) != reader.UInt32LittleEndian())
            throw reader.Error("xz stream header CRC32 mismatch");
        if (flags[0] != 0 || flags[1] > 0x0F)
            throw reader.Error($"xz stream flags {flags[0]:X2}{flags[1]:X2} are invalid");

        var headerStart = reader.Position;
        var sizeByte = reader.Byte();
        if (sizeByte == 0)
            throw reader.Error("xz stream has no block");
        var headerSize = (sizeByte + 1) * 4;
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
        while (reader.Position < headerStart + headerSize - 4)
            if (reader.Byte() != 0)
                throw reader.Error("xz block header padding is not zero");
        var crcInput = reader.Slice(headerStart, headerSize - 4);
        if (Crc32.Compute(crcInput) != reader.UInt32LittleEndian())
            throw reader.Error("xz block header CRC32 mismatch");
        return dictByte == 40 ? uint.MaxValue : (2u | (dictByte & 1u)) << (dictByte / 2 + 11);
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
