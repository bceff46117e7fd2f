using System.Formats.Tar;
using Vz.Bundle.Fs;
using Vz.Bundle.Tar;
using Vz.Oci.Tar;
using VzTarEntry = Vz.Oci.Tar.TarEntry;

namespace Vz.Bundle.Tests;

public class TarTests
{
    static byte[] TarBytes(IEnumerable<VzTarEntry> entries, long clamp = 0)
    {
        var ms = new MemoryStream();
        TarStreamWriter.WriteAll(entries, ms, clamp);
        return ms.ToArray();
    }

    static List<System.Formats.Tar.TarEntry> Read(byte[] tar)
    {
        var list = new List<System.Formats.Tar.TarEntry>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } e)
            list.Add(e);
        return list;
    }

    static TestTree SampleTree()
    {
        var t = new TestTree();
        t.File("usr/bin/tool", "tool-bytes", Modes.Parse("4755"), 1234, 5678, 1_600_000_000);
        Posix.HardLink(t["usr/bin/tool"], t["usr/bin/tool-again"]);
        t.Symlink("bin", "usr/bin");
        t.File("etc/" + new string('n', 120), "long name", Modes.O600, 3_000_000, 7, 100);
        t.File("root/.profile", "dotfile");
        return t;
    }

    [Fact]
    public void AnotherTarReaderSeesTheSameTypesModesOwnersLinksAndLongNames()
    {
        using var t = SampleTree();
        var entries = Read(TarBytes(TreeScanner.Scan(t.Dir), clamp: 1_700_000_000)).ToDictionary(e => e.Name);

        var tool = entries["usr/bin/tool"];
        Assert.Equal(TarEntryType.RegularFile, tool.EntryType);
        Assert.Equal((UnixFileMode)Modes.Parse("4755"), tool.Mode);
        Assert.Equal((1234, 5678), (tool.Uid, tool.Gid));
        Assert.Equal(1_600_000_000, tool.ModificationTime.ToUnixTimeSeconds());
        Assert.Equal("tool-bytes", new StreamReader(tool.DataStream!).ReadToEnd());
        Assert.Equal(TarEntryType.HardLink, entries["usr/bin/tool-again"].EntryType);
        Assert.Equal("usr/bin/tool", entries["usr/bin/tool-again"].LinkName);
        Assert.Equal(TarEntryType.SymbolicLink, entries["bin"].EntryType);
        Assert.Equal("usr/bin", entries["bin"].LinkName);
        Assert.Equal(TarEntryType.Directory, entries["usr/"].EntryType);
        Assert.Contains("root/.profile", entries.Keys); // dotfiles count as hidden to .NET's default enumeration
        // A 124-byte name and a uid beyond 7 octal digits go through a pax header.
        var longOne = entries["etc/" + new string('n', 120)];
        Assert.Equal(3_000_000, longOne.Uid);
        Assert.Equal(100, longOne.ModificationTime.ToUnixTimeSeconds());
    }

    [Fact]
    public void MtimesAreClampedToTheEpoch()
    {
        using var t = SampleTree();
        Assert.All(Read(TarBytes(TreeScanner.Scan(t.Dir), clamp: 0)), e => Assert.Equal(0, e.ModificationTime.ToUnixTimeSeconds()));
    }

    [Fact]
    public void EntriesAreSortedAndOwnersAreNumericOnly()
    {
        using var t = SampleTree();
        var entries = Read(TarBytes(TreeScanner.Scan(t.Dir)));
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        Assert.All(entries.OfType<PosixTarEntry>(), e => Assert.Equal(("", ""), (e.UserName, e.GroupName)));
    }

    [Theory]
    [InlineData(Compression.Zstd)]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.Xz)]
    [InlineData(Compression.None)]
    public void PackingTheSameTreeTwiceGivesIdenticalBytes(Compression compression)
    {
        using var t = SampleTree();
        using var outDir = new TestTree();
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["a"], compression, 0);
        Posix.SetMTime(t["usr/bin/tool"], 1_650_000_000, 0); // touched after packing: the clamp hides it
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["b"], compression, 0);
        Assert.Equal(File.ReadAllBytes(outDir["a"]), File.ReadAllBytes(outDir["b"]));
        Assert.True(new FileInfo(outDir["a"]).Length > 0);
    }

    [Fact]
    public void ChangingOneFileChangesOnlyThatEntry()
    {
        using var t = SampleTree();
        t.File("etc/other", "same");
        var before = Read(TarBytes(TreeScanner.Scan(t.Dir)));
        t.File("etc/other", "changed");
        var after = Read(TarBytes(TreeScanner.Scan(t.Dir)));

        string Describe(System.Formats.Tar.TarEntry e) =>
            $"{e.Name} {e.EntryType} {e.Mode} {e.Uid} {e.Gid} {e.LinkName} {(e.DataStream is null ? "" : new StreamReader(e.DataStream).ReadToEnd())}";
        var differing = before.Zip(after).Where(p => Describe(p.First) != Describe(p.Second)).Select(p => p.First.Name).ToArray();
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(["etc/other"], differing);
    }

    [Fact]
    public void GnuTarListsTheArchive()
    {
        using var t = SampleTree();
        using var outDir = new TestTree();
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["x.tar"], Compression.None, 0);
        var r = ProcessRunner.Run(new ProcessSpec("tar", ["--numeric-owner", "-tvf", outDir["x.tar"]]));
        Assert.True(r.Ok, r.StdErr);
        Assert.Contains("-rwsr-xr-x 1234/5678", r.StdOut);
        Assert.Contains("usr/bin/tool-again link to usr/bin/tool", r.StdOut);
        Assert.Contains("bin -> usr/bin", r.StdOut);
    }
}
