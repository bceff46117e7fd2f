using System.Buffers.Binary;
using System.Text;

namespace Vz.Bundle.Runtime;

/// <summary>
/// What the kernel needs besides the program file itself to exec it: the ELF interpreter
/// (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2) or the #! interpreter. Reads only the
/// first bytes and the program headers. ELF: https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.pheader.html
/// </summary>
public static class ProgramInterpreter
{
    const uint PtInterp = 3;

    /// <summary>The interpreter's absolute path, or null for static ELF files and anything unrecognised.</summary>
    public static string? Read(Stream program)
    {
        var head = new byte[256];
        var n = program.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 2 && head[0] == '#' && head[1] == '!')
        {
            var line = Encoding.UTF8.GetString(head, 2, n - 2).Split('\n')[0].Trim();
            var interp = line.Split([' ', '\t'], 2)[0];
            return interp.StartsWith('/') ? interp : null;
        }
        if (n < 64 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F' || head[5] != 1 /* little-endian */)
            return null;
        var is64 = head[4] == 2;
        var s = head.AsSpan();
        var phoff = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(s[0x20..]) : BinaryPrimitives.ReadUInt32LittleEndian(s[0x1C..]);
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[(is64 ? 0x36 : 0x2A)..]);
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(s[(is64 ? 0x38 : 0x2C)..]);
        if (phentsize < (is64 ? 56 : 32) || phnum > 4096)
            return null;
        var ph = new byte[phentsize];
        for (var i = 0; i < phnum; i++)
        {
            program.Position = phoff + (long)i * phentsize;
            if (program.ReadAtLeast(ph, ph.Length, throwOnEndOfStream: false) < ph.Length)
                return null;
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtInterp)
                continue;
            var offset = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(ph.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(ph.AsSpan(4));
            var size = is64 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(ph.AsSpan(0x20)) : BinaryPrimitives.ReadUInt32LittleEndian(ph.AsSpan(16));
            if (size is <= 0 or > 4096)
                return null;
            var buf = new byte[size];
            program.Position = offset;
            if (program.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false) < buf.Length)
                return null;
            return Encoding.UTF8.GetString(buf).TrimEnd('\0');
        }
        return null;
    }
}
