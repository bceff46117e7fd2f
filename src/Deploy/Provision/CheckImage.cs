using System.Buffers.Binary;
using Vz.Oci.Tar;

namespace Vz.Deploy.Provision;

/// <summary>
/// node check's test container: nodes never pull, and the operator's machine may have no busybox, so
/// vz makes the image itself: one static executable, written here byte by byte (an ELF header, one
/// loadable segment, and code that writes "vz-check-ok\n" with write(2) and exits 0), for x86_64 and
/// aarch64. 165 and 164 bytes; the rootfs tar holds only it, for <c>podman import</c>.
/// </summary>
public static class CheckImage
{
    public const string Expected = "vz-check-ok";
    public const string FileName = "vz-check";

    static readonly byte[] Message = "vz-check-ok\n"u8.ToArray();

    /// <summary>The executable for a node's <c>uname -m</c>, or null when vz has none for it.</summary>
    public static byte[]? Executable(string machine) => machine switch
    {
        "x86_64" => Elf(0x3E,
        [
            0xB8, 0x01, 0x00, 0x00, 0x00,             // mov eax, 1 (write)
            0xBF, 0x01, 0x00, 0x00, 0x00,             // mov edi, 1 (stdout)
            0x48, 0x8D, 0x35, 0x10, 0x00, 0x00, 0x00, // lea rsi, [rip + 16] (the message, after the code)
            0xBA, 0x0C, 0x00, 0x00, 0x00,             // mov edx, 12
            0x0F, 0x05,                               // syscall
            0xB8, 0x3C, 0x00, 0x00, 0x00,             // mov eax, 60 (exit)
            0x31, 0xFF,                               // xor edi, edi
            0x0F, 0x05,                               // syscall
        ]),
        "aarch64" => Elf(0xB7, Words(
            0xD2800020, // mov x0, #1 (stdout)
            0x100000E1, // adr x1, .+28 (the message, after the code)
            0xD2800182, // mov x2, #12
            0xD2800808, // mov x8, #64 (write)
            0xD4000001, // svc #0
            0xD2800000, // mov x0, #0
            0xD2800BA8, // mov x8, #93 (exit)
            0xD4000001)), // svc #0
        _ => null,
    };

    /// <summary>A rootfs tar with the executable at /vz-check (0755, root's).</summary>
    public static byte[] RootfsTar(byte[] executable)
    {
        using var tar = new MemoryStream();
        TarStreamWriter.WriteAll([TarEntry.ForData(FileName, executable, 0, 0x1ED)], tar, 0);
        return tar.ToArray();
    }

    const ulong Base = 0x400000;
    const int HeaderSize = 64, ProgramHeaderSize = 56;

    /// <summary>ELF64 little-endian ET_EXEC with one PT_LOAD (R+X) mapping the whole file at <see cref="Base"/> (System V gABI, "ELF-64 Object File Format").</summary>
    static byte[] Elf(ushort machine, byte[] code)
    {
        var codeAt = HeaderSize + ProgramHeaderSize;
        var file = new byte[codeAt + code.Length + Message.Length];
        var s = file.AsSpan();
        ReadOnlySpan<byte> magic = [0x7F, (byte)'E', (byte)'L', (byte)'F'];
        magic.CopyTo(s);
        s[4] = 2; // ELFCLASS64
        s[5] = 1; // little-endian
        s[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], machine);
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], Base + (ulong)codeAt); // e_entry
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], HeaderSize);          // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], HeaderSize);          // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], ProgramHeaderSize);   // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], 1);                   // e_phnum
        var ph = s[HeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);        // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5);   // PF_R | PF_X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], Base);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], Base);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)file.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)file.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);
        code.CopyTo(s[codeAt..]);
        Message.CopyTo(s[(codeAt + code.Length)..]);
        return file;
    }

    static byte[] Words(params uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        for (var i = 0; i < words.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        return bytes;
    }
}
