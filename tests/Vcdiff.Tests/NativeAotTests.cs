namespace Vz.Vcdiff.Tests;

/// <summary>
/// vzpatch as it ships to nodes: NativeAOT, statically linked (Rocky/Alma 8 have glibc 2.28,
/// a binary linked here would need 2.34), applying a real xdelta3 delta. Needs clang and lld
/// (harness/install-packages.sh).
/// </summary>
public sealed class NativeAotTests : IDisposable
{
    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    [Fact]
    public void PublishedVzpatchIsOneStaticBinaryThatAppliesAPushDelta()
    {
        var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Vzpatch/Vzpatch.csproj"));
        var outDir = _xd.Path("publish");
        // Own artifacts path: never touches the obj/bin of the build running these tests.
        var publish = ProcessRunner.Run(new ProcessSpec("dotnet",
            ["publish", project, "-r", "linux-x64", "-c", "Release", "-o", outDir, "--artifacts-path", _xd.Path("artifacts")])
        {
            Timeout = TimeSpan.FromMinutes(8),
        });
        Assert.True(publish.Ok, $"dotnet publish failed ({publish.ExitCode}): {publish.StdOut}{publish.StdErr}");
        var binary = Path.Combine(outDir, "vzpatch");

        var elf = File.ReadAllBytes(binary);
        Assert.True(elf.AsSpan().StartsWith("\u007fELF"u8), "vzpatch is not an ELF binary");
        Assert.False(elf.AsSpan().IndexOf("/lib64/ld-linux-x86-64.so.2"u8) >= 0, "vzpatch asks for the dynamic loader: it is not statically linked");
        Assert.True(elf.Length < 8 * 1024 * 1024, $"vzpatch is {elf.Length} bytes");

        var old = Inputs.Structured(50, 2_000_000);
        var oldPath = _xd.Write("old", old);
        var newPath = _xd.Write("new", Inputs.RandomEdits(old, 51, 30));
        var delta = _xd.Encode(oldPath, newPath, "-e -9 -S lzma -D -B 2097152");
        var output = _xd.Path("out");
        var run = ProcessRunner.Run(new ProcessSpec(binary, [oldPath, delta, output]));
        Assert.True(run.Ok, $"vzpatch failed ({run.ExitCode}): {run.StdErr}");
        Assert.Equal(File.ReadAllBytes(newPath), File.ReadAllBytes(output));
    }
}
