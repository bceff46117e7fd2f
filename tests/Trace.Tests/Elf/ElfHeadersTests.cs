using Vz.Trace.Elf;
using Vz.Trace.Tests.Closure;

namespace Vz.Trace.Tests.Elf;

public class ElfHeadersTests
{
    static ElfInfo Read(string path)
    {
        using var stream = File.OpenRead(path);
        return ElfHeaders.Read(stream) ?? throw new InvalidOperationException($"{path} is not ELF");
    }

    [Fact]
    public void RpathExecutableHeadersNameInterpreterLibrariesAndRpath()
    {
        var elf = Read(Fixtures.Elf("prog/hello-rpath"));
        Assert.True(elf.Is64Bit);
        Assert.False(elf.BigEndian);
        Assert.Equal(62, elf.Machine);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", elf.Interpreter);
        Assert.Equal(["libgreet.so", "libouter.so", "libc.so.6"], elf.Needed);
        Assert.Equal(["$ORIGIN/../lib"], elf.RPath);
        Assert.Empty(elf.RunPath);
        Assert.Null(elf.SoName);
    }

    [Fact]
    public void RunpathExecutableHasRunpathAndNoRpath()
    {
        var elf = Read(Fixtures.Elf("prog/hello-runpath"));
        Assert.Equal(["$ORIGIN/../lib"], elf.RunPath);
        Assert.Empty(elf.RPath);
    }

    [Fact]
    public void SharedLibraryHasSonameAndNoInterpreter()
    {
        var elf = Read(Fixtures.Elf("lib/libouter.so"));
        Assert.Null(elf.Interpreter);
        Assert.Equal("libouter.so", elf.SoName);
        Assert.Equal(["libinner.so"], elf.Needed);
    }

    [Fact]
    public void TextFileIsNotElf()
    {
        using var stream = new MemoryStream("#!/bin/sh\necho this is a script that is long enough\n"u8.ToArray());
        Assert.Null(ElfHeaders.Read(stream));
    }

    [Fact]
    public void TruncatedElfIsReportedAsMalformed()
    {
        var bytes = File.ReadAllBytes(Fixtures.Elf("prog/hello-rpath"))[..80];
        using var stream = new MemoryStream(bytes);
        Assert.Throws<InvalidDataException>(() => ElfHeaders.Read(stream));
    }

    [Fact]
    public void ExecutableWithoutSectionHeadersStillYieldsItsLibraries()
    {
        // As after sstrip: e_shoff, e_shnum and e_shstrndx zeroed; the loader needs only program headers.
        var bytes = File.ReadAllBytes(Fixtures.Elf("prog/hello-rpath"));
        Array.Clear(bytes, 0x28, 8);
        Array.Clear(bytes, 0x3C, 4);
        using var stream = new MemoryStream(bytes);
        var elf = ElfHeaders.Read(stream);
        Assert.NotNull(elf);
        Assert.Equal(["libgreet.so", "libouter.so", "libc.so.6"], elf.Needed);
        Assert.Equal(["$ORIGIN/../lib"], elf.RPath);
    }
}
