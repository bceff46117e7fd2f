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

/// <summary>Reads <see cref="ElfInfo"/> with ELFSharp (headers and segments) without running anything.</summary>
public static class ElfHeaders
{
    // d_tag values from elf.h.
    const long DtNull = 0, DtNeeded = 1, DtStrTab = 5, DtSoName = 14, DtRPath = 15, DtRunPath = 29;

    /// <summary>True when the bytes start with the ELF magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x7f && head[1] == (byte)'E' && head[2] == (byte)'L' && head[3] == (byte)'F';

    /// <summary>Headers of an ELF stream; null when it is not ELF. Malformed ELF throws InvalidDataException.</summary>
    public static ElfInfo? Read(Stream stream)
    {
        IELF elf;
        try
        {
            if (!ELFReader.TryLoad(stream, false, out elf))
                return null;
        }
        catch (Exception e) when (Malformed(e))
        {
            throw new InvalidDataException($"malformed ELF headers: {e.Message}", e);
        }
        using (elf)
        {
            try
            {
                return ReadInfo(elf, stream);
            }
            catch (Exception e) when (Malformed(e))
            {
                throw new InvalidDataException($"malformed ELF dynamic section: {e.Message}", e);
            }
        }
    }

    // ELFSharp throws assorted exceptions on truncated or corrupt headers; a real I/O error is not one of them.
    static bool Malformed(Exception e) => e is EndOfStreamException || e is not IOException;

    static ElfInfo ReadInfo(IELF elf, Stream stream)
    {
        var is64 = elf.Class == Class.Bit64;
        var big = elf.Endianess == ELFSharp.Endianess.BigEndian;
        string? interp = null;
        var dynamic = new List<(long Tag, ulong Value)>();
        var loads = new List<(ulong Address, long Offset, long FileSize)>();
        foreach (var segment in elf.Segments)
        {
            switch (segment.Type)
            {
                case SegmentType.Interpreter:
                    interp = CString(segment.GetFileContents(), 0);
                    break;
                case SegmentType.Dynamic:
                    dynamic = DynamicEntries(segment.GetFileContents(), is64, big);
                    break;
                case SegmentType.Load:
                    loads.Add(Placement(segment));
                    break;
            }
        }

        var needed = new List<string>();
        var rpath = new List<string>();
        var runpath = new List<string>();
        string? soname = null;
        var strtab = dynamic.Where(d => d.Tag == DtStrTab).Select(d => (ulong?)d.Value).FirstOrDefault();
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
        return new ElfInfo(is64, big, (int)elf.Machine, interp, needed, rpath, runpath, soname);
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

    static (ulong, long, long) Placement(ISegment segment) => segment switch
    {
        Segment<ulong> s => (s.Address, s.Offset, s.FileSize),
        Segment<uint> s => (s.Address, s.Offset, s.FileSize),
        _ => (0, 0, 0),
    };

    // DT_STRTAB holds a virtual address; the PT_LOAD that maps it gives the file offset.
    static long? FileOffset(List<(ulong Address, long Offset, long FileSize)> loads, ulong address)
    {
        foreach (var (start, offset, size) in loads)
            if (address >= start && address < start + (ulong)size)
                return offset + (long)(address - start);
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

    static string CString(byte[] bytes, int offset)
    {
        var end = Array.IndexOf(bytes, (byte)0, offset);
        return Encoding.UTF8.GetString(bytes, offset, (end < 0 ? bytes.Length : end) - offset);
    }

    static IEnumerable<string> SplitPath(string text) =>
        text.Split(':', StringSplitOptions.RemoveEmptyEntries);
}
