using Vz.Trace.Closure;
using Vz.Trace.Elf;

namespace Vz.Integration.Tests.Trace;

/// <summary>The ELF reader and the closure agree with the system's own tools (readelf, ldd) on the host's programs.</summary>
public class HostToolsAgreementTests
{
    [Fact]
    public void HostLibcHeadersMatchReadelf()
    {
        using var libc = File.OpenRead("/lib/x86_64-linux-gnu/libc.so.6");
        var elf = ElfHeaders.Read(libc)!;
        var readelf = ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "readelf", "-d", "/lib/x86_64-linux-gnu/libc.so.6").StdOut;
        foreach (var needed in elf.Needed)
            Assert.Contains($"Shared library: [{needed}]", readelf);
        Assert.Contains($"Library soname: [{elf.SoName}]", readelf);
        Assert.Equal(readelf.Split('\n').Count(l => l.Contains("(NEEDED)")), elf.Needed.Count);
    }

    [Theory]
    [InlineData("/usr/bin/perl")]
    [InlineData("/usr/bin/python3")]
    [InlineData("/usr/bin/strace")]
    public void HostClosureCoversEveryLibraryLddReports(string program)
    {
        var ldd = ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "ldd", program);
        var closure = ClosureResolver.Resolve([program], new ClosureOptions()).Paths;
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
        var reported = ldd.StdOut.Split('\n')
            .Select(l => l.Split("=>").Last().Trim().Split(' ')[0])
            .Where(p => p.StartsWith('/'))
            .Select(p => ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "readlink", "-f", p).StdOut.Trim())
            .ToArray();
        Assert.NotEmpty(reported);
        foreach (var lib in reported)
            Assert.Contains(lib, closure);
    }
}
