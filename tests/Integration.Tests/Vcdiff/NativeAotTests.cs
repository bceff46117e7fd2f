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
        var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Vzpatch/Vz.Vzpatch.csproj"));
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

        // An empty root (no libc, no loader, no /proc) stands in for a node with an older glibc.
        var root = Directory.CreateDirectory(_xd.Path("root")).FullName;
        File.Copy(binary, Path.Combine(root, "vzpatch"));
        var old = Inputs.Structured(50, 2_000_000);
        var oldPath = _xd.Write("root/old", old);
        var newPath = _xd.Write("new", Inputs.RandomEdits(old, 51, 30));
        File.Move(_xd.Encode(oldPath, newPath, "-e -9 -S lzma -D -B 2097152"), Path.Combine(root, "delta"));
        var run = ProcessRunner.Run(new ProcessSpec("chroot", [root, "/vzpatch", "/old", "/delta", "/out"]));
        Assert.True(run.Ok, $"vzpatch in an empty root failed ({run.ExitCode}): {run.StdErr}");
        Assert.Equal(File.ReadAllBytes(newPath), File.ReadAllBytes(Path.Combine(root, "out")));
    }
}
