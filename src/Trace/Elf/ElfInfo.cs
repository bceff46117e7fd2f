using System.Buffers.Binary;
using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;

namespace Vz.Trace.Elf;

/// <summary>
/// What the dynamic loader reads from an ELF file's headers: its class and machine (a
/// library must match its loader's), PT_INTERP, and the DT_NEEDED / DT_RPATH / DT_RUNPATH /
/// DT_SONAME entries of PT_DYNAMIC. See the System V ABI, "Dynamic Linking", and ld.so(8).
/// </summary>
public sealed record ElfInfo(
    bool Is64Bit,
    bool BigEndian,
    int Machine,
    string? Interpreter,
    IReadOnlyList<string> Needed,
    IReadOnlyList<string> RPath,
    IReadOnlyList<string> RunPath,
    string? SoName)
{
    /// <summary>True when a library with <paramref name="other"/>'s headers may be loaded by this object.</summary>
    public bool Compatible(ElfInfo other) =>
        Is64Bit == other.Is64Bit && BigEndian == other.BigEndian && Machine == other.Machine;
}

/// <summary>
/// Reads <see cref="ElfInfo"/> without running anything: ELFSharp reads the ELF and program
/// headers (a small reader of its own covers files without section headers, which ELFSharp
/// refuses), then PT_INTERP and PT_DYNAMIC are read from the file where the program headers say.
/// </summary>
public static class ElfHeaders
{
    // d_tag values from elf.h.
    const long DtNull = 0, DtNeeded = 1, DtStrTab = 5, DtSoName = 14, DtRPath = 15, DtRunPath = 29;

    /// <summary>True when the bytes start with the ELF magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';

    /// <summary>One program header: what the loader maps, and where it lies in the file.</summary>
    readonly record struct ProgramHeader(SegmentType Type, long Offset, ulong Address, long FileSize);

    /// <summary>The ELF header fields and program headers the loader reads.</summary>
    sealed record Layout(bool Is64Bit, bool BigEndian, int Machine, IReadOnlyList<ProgramHeader> Segments);

    /// <summary>Headers of an ELF stream; null when it is not ELF. Malformed ELF throws InvalidDataException.</summary>
    public static ElfInfo? Read(Stream stream)
    {
        try
        {
            var layout = ReadLayout(stream);
            return layout is null ? null : ReadInfo(layout, stream);
        }
        catch (Exception e) when (Malformed(e))
        {
            throw new InvalidDataException($"malformed ELF headers: {e.Message}", e);
        }
    }

    // ELFSharp and the readers below throw assorted exceptions on truncated or corrupt
    // headers; a real I/O error is not one of them.
    static bool Malformed(Exception e) => e is EndOfStreamException || e is not IOException;

    static Layout? ReadLayout(Stream stream)
    {
        IELF elf;
        try
        {
            if (!ELFReader.TryLoad(stream, false, out elf))
                return null;
        }
        catch (Exception e) when (Malformed(e) && SectionHeadersGone(stream))
        {
            // ELFSharp needs section headers, which sstrip removes; ld.so needs only program headers.
            return ReadProgramHeaders(stream);
        }
        using (elf)
        {
            var segments = elf.Segments.Select(s => s switch
            {
                Segment<ulong> x => new ProgramHeader(x.Type, x.Offset, x.Address, x.FileSize),
                Segment<uint> x => new ProgramHeader(x.Type, x.Offset, x.Address, x.FileSize),
                _ => throw new InvalidDataException("unknown ELF class"),
            }).ToArray();
            return new Layout(elf.Class == Class.Bit64, elf.Endianess == ELFSharp.Endianess.BigEndian, (int)elf.Machine, segments);
        }
    }

    // e_ident[EI_CLASS] = 2 is ELFCLASS64, e_ident[EI_DATA] = 2 is big-endian (System V ABI, "ELF Header").
    static bool SectionHeadersGone(Stream stream)
    {
        var h = Bytes(stream, 0, 64);
        var is64 = h[4] == 2;
        var shoff = is64 ? Word64(h.AsSpan(0x28), h[5] == 2) : Word32(h.AsSpan(0x20), h[5] == 2);
        return shoff == 0;
    }

    static Layout ReadProgramHeaders(Stream stream)
    {
        var h = Bytes(stream, 0, 64);
        bool is64 = h[4] == 2, big = h[5] == 2;
        var machine = big ? BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(18)) : BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(18));
        var phoff = (long)(is64 ? Word64(h.AsSpan(0x20), big) : Word32(h.AsSpan(0x1C), big));
        var at = is64 ? 0x36 : 0x2A;
        int Half(int offset) => big ? BinaryPrimitives.ReadUInt16BigEndian(h.AsSpan(offset)) : BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(offset));
        var (entsize, count) = (Half(at), Half(at + 2));
        var segments = new List<ProgramHeader>();
        for (var i = 0; i < count; i++)
        {
            var p = Bytes(stream, phoff + (long)i * entsize, is64 ? 56 : 32).AsSpan();
            var type = (SegmentType)Word32(p, big);
            segments.Add(is64
                ? new ProgramHeader(type, (long)Word64(p[8..], big), Word64(p[16..], big), (long)Word64(p[32..], big))
                : new ProgramHeader(type, Word32(p[4..], big), Word32(p[8..], big), Word32(p[16..], big)));
        }
        return new Layout(is64, big, machine, segments);
    }

    static ElfInfo ReadInfo(Layout layout, Stream stream)
    {
        var (is64, big) = (layout.Is64Bit, layout.BigEndian);
        // What the kernel maps must be in the file: a cut-short copy cannot run.
        if (layout.Segments.FirstOrDefault(s => s.Type == SegmentType.Load && (s.Offset < 0 || s.FileSize < 0 || s.Offset + s.FileSize > stream.Length)) is { Type: SegmentType.Load } cut)
            throw new EndOfStreamException($"a loadable segment ({cut.FileSize} bytes at offset {cut.Offset}) lies past the end of the file ({stream.Length} bytes)");
        string? interp = null;
        var dynamic = new List<(long Tag, ulong Value)>();
        foreach (var segment in layout.Segments)
        {
            if (segment.Type == SegmentType.Interpreter)
                interp = CString(Bytes(stream, segment.Offset, segment.FileSize));
            else if (segment.Type == SegmentType.Dynamic)
                dynamic = DynamicEntries(Bytes(stream, segment.Offset, segment.FileSize), is64, big);
        }

        var needed = new List<string>();
        var rpath = new List<string>();
        var runpath = new List<string>();
        string? soname = null;
        var strtab = dynamic.Where(d => d.Tag == DtStrTab).Select(d => (ulong?)d.Value).FirstOrDefault();
        var loads = layout.Segments.Where(s => s.Type == SegmentType.Load).ToArray();
        if (strtab is { } address && FileOffset(loads, address) is { } tableOffset)
        {
            foreach (var (tag, value) in dynamic)
            {
                if (tag is not (DtNeeded or DtSoName or DtRPath or DtRunPath))
                    continue;
                var text = ReadCString(stream, tableOffset + (long)value);
                switch (tag)
                {
                    case DtNeeded: needed.Add(text); break;
                    case DtSoName: soname = text; break;
                    case DtRPath: rpath.AddRange(SplitPath(text)); break;
                    case DtRunPath: runpath.AddRange(SplitPath(text)); break;
                }
            }
        }
        return new ElfInfo(is64, big, layout.Machine, interp, needed, rpath, runpath, soname);
    }

    static byte[] Bytes(Stream stream, long offset, long count)
    {
        if (offset < 0 || count < 0 || count > 1 << 20 || offset + count > stream.Length)
            throw new EndOfStreamException($"{count} bytes at offset {offset} lie outside the file");
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[count];
        stream.ReadExactly(buffer);
        return buffer;
    }

    static List<(long, ulong)> DynamicEntries(byte[] bytes, bool is64, bool big)
    {
        var size = is64 ? 16 : 8;
        var entries = new List<(long, ulong)>();
        for (var at = 0; at + size <= bytes.Length; at += size)
        {
            var span = bytes.AsSpan(at, size);
            var (tag, value) = is64
                ? ((long)Word64(span, big), Word64(span[8..], big))
                : ((long)Word32(span, big), (ulong)Word32(span[4..], big));
            if (tag == DtNull)
                break;
            entries.Add((tag, value));
        }
        return entries;
    }

    static ulong Word64(ReadOnlySpan<byte> s, bool big) =>
        big ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);

    static uint Word32(ReadOnlySpan<byte> s, bool big) =>
        big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    // DT_STRTAB holds a virtual address; the PT_LOAD that maps it gives the file offset.
    static long? FileOffset(IEnumerable<ProgramHeader> loads, ulong address)
    {
        foreach (var load in loads)
            if (address >= load.Address && address < load.Address + (ulong)load.FileSize)
                return load.Offset + (long)(address - load.Address);
        return null;
    }

    static string ReadCString(Stream stream, long offset)
    {
        if (offset < 0 || offset >= stream.Length)
            throw new ArgumentException($"string offset {offset} outside the file");
        stream.Seek(offset, SeekOrigin.Begin);
        var bytes = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) > 0 && bytes.Count < 4096)
            bytes.Add((byte)b);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    static string CString(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    static IEnumerable<string> SplitPath(string text) =>
        text.Split(':', StringSplitOptions.RemoveEmptyEntries);
}
