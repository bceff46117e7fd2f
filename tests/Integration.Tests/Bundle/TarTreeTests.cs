using System.Formats.Tar;
using Vz.Bundle.Tar;
using Vz.Bundle.Tests;
using Vz.Oci.Tar;
using VzTarEntry = Vz.Oci.Tar.TarEntry;

namespace Vz.Integration.Tests.Bundle;

/// <summary>The tar writer on trees with other owners (root gives files away), read by GNU tar, packed with xz.</summary>
public class TarTreeTests
{
    [Fact]
    public void AnotherTarReaderSeesTheSameTypesModesOwnersLinksAndLongNames()
    {
        using var t = TestTree.Sample(owners: true);
        var entries = TarBytes.Read(TarBytes.Of(TreeScanner.Scan(t.Dir), clamp: 1_700_000_000)).ToDictionary(e => e.Name);

        var tool = entries["usr/bin/tool"];
        Assert.Equal(TarEntryType.RegularFile, tool.EntryType);
        Assert.Equal((UnixFileMode)Vz.Bundle.Fs.Modes.Parse("4755"), tool.Mode);
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
    public void GnuTarListsTheArchive()
    {
        using var t = TestTree.Sample(owners: true);
        using var outDir = new TestTree();
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["x.tar"], Compression.None, 0);
        var r = ProcessRunner.Run(new ProcessSpec("tar", ["--numeric-owner", "-tvf", outDir["x.tar"]]));
        Assert.True(r.Ok, r.StdErr);
        Assert.Contains("-rwsr-xr-x 1234/5678", r.StdOut);
        Assert.Contains("usr/bin/tool-again link to usr/bin/tool", r.StdOut);
        Assert.Contains("bin -> usr/bin", r.StdOut);
    }

    [Fact]
    public void PackingTheSameTreeTwiceWithXzGivesIdenticalBytes()
    {
        using var t = TestTree.Sample(owners: true);
        using var outDir = new TestTree();
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["a"], Compression.Xz, 0);
        Vz.Bundle.Fs.Posix.SetMTime(t["usr/bin/tool"], 1_650_000_000, 0); // touched after packing: the clamp hides it
        Packer.Pack(TreeScanner.Scan(t.Dir), outDir["b"], Compression.Xz, 0);
        Assert.Equal(File.ReadAllBytes(outDir["a"]), File.ReadAllBytes(outDir["b"]));
        Assert.True(new FileInfo(outDir["a"]).Length > 0);
    }
}
