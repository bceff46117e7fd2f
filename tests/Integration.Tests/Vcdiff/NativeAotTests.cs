using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Push;
using Vz.Vzpatch;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>
/// vzpatch as it ships to nodes: NativeAOT, statically linked (Rocky/Alma 8 have glibc 2.28,
/// a binary linked here would need 2.34), run in an empty root with no libc and no /proc.
/// </summary>
public sealed class NativeAotTests : IDisposable
{
    private readonly Xdelta _xd = new();

    public void Dispose() => _xd.Dispose();

    private async Task<string> EmptyRootWithVzpatch()
    {
        var binary = await PublishedVzpatch.PathAsync();
        var root = Directory.CreateDirectory(_xd.Path("root")).FullName;
        File.Copy(binary, Path.Combine(root, "vzpatch"));
        return root;
    }

    [Fact]
    public async Task PublishedVzpatchIsOneStaticBinaryThatAppliesAPushDelta()
    {
        var elf = File.ReadAllBytes(await PublishedVzpatch.PathAsync());
        Assert.True(elf.AsSpan().StartsWith("\u007fELF"u8), "vzpatch is not an ELF binary");
        Assert.False(elf.AsSpan().IndexOf("/lib64/ld-linux-x86-64.so.2"u8) >= 0, "vzpatch asks for the dynamic loader: it is not statically linked");
        Assert.True(elf.Length < 8 * 1024 * 1024, $"vzpatch is {elf.Length} bytes");

        var root = await EmptyRootWithVzpatch();
        var old = Inputs.Structured(50, 2_000_000);
        var oldPath = _xd.Write("root/old", old);
        var newPath = _xd.Write("new", Inputs.RandomEdits(old, 51, 30));
        File.Move(_xd.Encode(oldPath, newPath, "-e -9 -S lzma -D -B 2097152"), Path.Combine(root, "delta"));
        var run = ProcessRunner.Run(new ProcessSpec("chroot", [root, "/vzpatch", "/old", "/delta", "/out"]));
        Assert.True(run.Ok, $"vzpatch in an empty root failed ({run.ExitCode}): {run.StdErr}");
        Assert.Equal(File.ReadAllBytes(newPath), File.ReadAllBytes(Path.Combine(root, "out")));
        Assert.Equal(["delta", "old", "out", "vzpatch"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FailedDecodeIntoDevNullLeavesTheDevice()
    {
        // The issue: run as root, `vzpatch src bad.vcd /dev/null` deleted /dev/null. Run in a
        // root of our own with a /dev/null device node, so a regression cannot touch the machine's.
        var root = await EmptyRootWithVzpatch();
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        Tools.Checked("mknod", Path.Combine(root, "dev/null"), "c", "1", "3");
        var old = Inputs.Structured(52, 200_000);
        var oldPath = _xd.Write("root/old", old);
        var delta = File.ReadAllBytes(_xd.Encode(oldPath, _xd.Write("new", Inputs.RandomEdits(old, 53, 5)), "-e -9 -S none -W 65536"));
        File.WriteAllBytes(Path.Combine(root, "bad"), delta[..^3]);
        var run = ProcessRunner.Run(new ProcessSpec("chroot", [root, "/vzpatch", "/old", "/bad", "/dev/null"]));
        Assert.Equal(ExitCodes.BadDelta, run.ExitCode);
        Assert.StartsWith("vzpatch: VZ3903: ", run.StdErr);
        Assert.Equal("character special file", Tools.Checked("stat", "-c", "%F", Path.Combine(root, "dev/null")).StdOut.Trim());
        Assert.Equal(["dev/null"], Directory.GetFileSystemEntries(Path.Combine(root, "dev")).Select(p => Path.GetRelativePath(root, p)));
    }
}
