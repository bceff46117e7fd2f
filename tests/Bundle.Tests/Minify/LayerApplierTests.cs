using System.Formats.Tar;
using Vz.Bundle.Minify;
using Vz.Fs;

namespace Vz.Bundle.Tests.Minify;

public sealed class LayerApplierTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("vz-layer-").FullName;
    readonly string root;
    readonly string outside;
    readonly CollectingReporter reporter = new();

    public LayerApplierTests()
    {
        root = Path.Combine(dir, "root");
        outside = Path.Combine(dir, "outside");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(outside);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static MemoryStream Layer(params TarEntry[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var e in entries)
                w.WriteEntry(e);
        ms.Position = 0;
        return ms;
    }

    /// <summary>Owned by whoever runs the test (as the scratch directory is): only root may give files away, and these tests need not.</summary>
    PaxTarEntry Owned(PaxTarEntry e)
    {
        var me = FileStat.Of(dir)!;
        e.Uid = (int)me.Uid;
        e.Gid = (int)me.Gid;
        return e;
    }

    PaxTarEntry File(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100) =>
        Owned(new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = mode });

    PaxTarEntry Dir(string name) => Owned(new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 });

    PaxTarEntry Link(TarEntryType type, string name, string target) => Owned(new(type, name) { LinkName = target });

    void Apply(params TarEntry[] entries) => new LayerApplier(root, reporter).Apply(Layer(entries), "test-layer");

    [Fact]
    public void FilesKeepContentModeAndSetuid()
    {
        Apply(Dir("usr/"), Dir("usr/bin/"), File("usr/bin/su", "x", (UnixFileMode)0b100_111_101_101));
        var su = Path.Combine(root, "usr/bin/su");
        Assert.Equal("x", System.IO.File.ReadAllText(su));
        Assert.True(System.IO.File.GetUnixFileMode(su).HasFlag(UnixFileMode.SetUser));
    }

    [Fact]
    public void DotDotNamesAreRefused()
    {
        var e = Assert.Throws<VzException>(() => Apply(File("../outside/evil", "x")));
        Assert.Contains("escapes the root", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void WritingThroughAnAbsoluteSymlinkStaysInsideTheRoot()
    {
        // A symlink to the outside directory's absolute path, then a file "through" it.
        Apply(Link(TarEntryType.SymbolicLink, "escape", outside), File("escape/evil", "x"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.True(System.IO.File.Exists(Path.Combine(root, outside.TrimStart('/'), "evil")));
    }

    [Fact]
    public void WritingThroughARelativeSymlinkUpwardsStaysInsideTheRoot()
    {
        Apply(Link(TarEntryType.SymbolicLink, "up", "../../../../../.."), File("up/evil", "x"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.True(System.IO.File.Exists(Path.Combine(root, "evil")));
    }

    [Fact]
    public void HardLinksToPathsOutsideTheImageAreRefused()
    {
        System.IO.File.WriteAllText(Path.Combine(outside, "secret"), "s");
        Assert.Throws<VzException>(() => Apply(Link(TarEntryType.HardLink, "h", "../outside/secret")));
        var e = Assert.Throws<VzException>(() => Apply(Link(TarEntryType.HardLink, "h", Path.Combine(outside, "secret"))));
        Assert.Contains("not in the image", e.Message);
    }

    [Fact]
    public void HardLinksInsideTheImageShareTheInode()
    {
        Apply(File("a", "same"), Link(TarEntryType.HardLink, "b", "a"));
        System.IO.File.AppendAllText(Path.Combine(root, "a"), "!");
        Assert.Equal("same!", System.IO.File.ReadAllText(Path.Combine(root, "b")));
    }

    [Fact]
    public void DeviceNodesAreSkippedWithAWarning()
    {
        Apply(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3 });
        Assert.False(Path.Exists(Path.Combine(root, "dev/null")));
        Assert.Contains(reporter.Lines, l => l.Contains("dev/null"));
    }

    [Fact]
    public void WhiteoutsDeleteAndOpaqueWhiteoutsHideLowerLayers()
    {
        Apply(Dir("etc/"), File("etc/a", "1"), File("etc/b", "2"), Dir("var/"), File("var/old", "o"));
        Apply(File("etc/.wh.a", ""), File("var/new", "n"), File("var/.wh..wh..opq", ""));
        Assert.False(System.IO.File.Exists(Path.Combine(root, "etc/a")));
        Assert.True(System.IO.File.Exists(Path.Combine(root, "etc/b")));
        Assert.False(System.IO.File.Exists(Path.Combine(root, "var/old")));
        Assert.True(System.IO.File.Exists(Path.Combine(root, "var/new")), "an opaque whiteout keeps its own layer's entries");
        Assert.False(System.IO.File.Exists(Path.Combine(root, "var/.wh..wh..opq")));
    }

    [Fact]
    public void WhiteoutsNamingTheDirectoryOrItsParentAreRefused()
    {
        Apply(Dir("etc/"), File("etc/a", "1"));
        Assert.Equal("VZ2301", Assert.Throws<VzException>(() => Apply(File("etc/.wh...", ""))).Code);
        Assert.Equal("VZ2301", Assert.Throws<VzException>(() => Apply(File(".wh..", ""))).Code);
        Assert.True(System.IO.File.Exists(Path.Combine(root, "etc/a")));
    }

    [Fact]
    public void ASymlinkLoopOnTheWayIsATypedError()
    {
        Apply(Link(TarEntryType.SymbolicLink, "loop", "loop"));
        var e = Assert.Throws<VzException>(() => Apply(File("loop/x", "")));
        Assert.Equal("VZ2302", e.Code);
        Assert.Contains("loop/x", e.Message);
    }

    [Fact]
    public void GarbageIsATypedError()
    {
        var e = Assert.Throws<VzException>(() => new LayerApplier(root, reporter).Apply(new MemoryStream(new byte[1024].Select((_, i) => (byte)(i * 7)).ToArray()), "junk"));
        Assert.Equal("VZ2304", e.Code);
    }
}
