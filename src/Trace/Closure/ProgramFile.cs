using Vz.Trace.Elf;

namespace Vz.Trace.Closure;

/// <summary>
/// What the kernel reads of a program file to exec it (execve(2)): its first bytes, then the
/// ELF program headers (PT_INTERP) or the <c>#!</c> line. The one interpreter reader: the
/// closure follows what it finds, and bundle validation checks it is in the rootfs.
/// </summary>
public static class ProgramFile
{
    /// <summary>The first bytes, as many as the kernel looks at for a #! line (<see cref="Shebang.MaxLength"/>).</summary>
    public static byte[] ReadHead(Stream program)
    {
        var buffer = new byte[Shebang.MaxLength];
        var n = program.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return buffer[..n];
    }

    /// <summary>
    /// The interpreter the kernel needs besides the file: the ELF interpreter
    /// (/lib64/ld-linux-x86-64.so.2) or the #! interpreter, as written; null for a static ELF
    /// file, malformed ELF headers, or anything else.
    /// </summary>
    public static string? Interpreter(Stream program)
    {
        var head = ReadHead(program);
        if (!ElfHeaders.HasMagic(head))
            return Shebang.Parse(head)?.Interpreter;
        program.Position = 0;
        try
        {
            return ElfHeaders.Read(program)?.Interpreter;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
