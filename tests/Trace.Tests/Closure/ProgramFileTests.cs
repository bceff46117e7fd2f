using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class ProgramFileTests
{
    static string? Interpreter(byte[] bytes) => ProgramFile.Interpreter(new MemoryStream(bytes));

    [Fact]
    public void DynamicElfNeedsItsProgramInterpreter() =>
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", Interpreter(File.ReadAllBytes(Fixtures.Elf("prog/hello-rpath"))));

    [Fact]
    public void ElfWithoutPtInterpNeedsNothing() =>
        Assert.Null(Interpreter(File.ReadAllBytes(Fixtures.Elf("lib/libouter.so"))));

    [Fact]
    public void ScriptNeedsItsShebangInterpreterAsWritten()
    {
        Assert.Equal("/bin/sh", Interpreter("#!/bin/sh -e\necho hi\n"u8.ToArray()));
        Assert.Equal("sh", Interpreter("#!sh\n"u8.ToArray()));
    }

    [Fact]
    public void MalformedElfAndPlainDataNeedNothing()
    {
        Assert.Null(Interpreter(File.ReadAllBytes(Fixtures.Elf("prog/hello-rpath"))[..80]));
        Assert.Null(Interpreter("plain text, long enough to read a head from"u8.ToArray()));
        Assert.Null(Interpreter([]));
    }
}
