using System.Formats.Tar;
using Vz.Bundle.Fs;
using Vz.Bundle.Tar;
using Vz.Oci.Tar;
using VzTarEntry = Vz.Oci.Tar.TarEntry;

namespace Vz.Bundle.Tests;

/// <summary>The tar writer on trees the test user owns (TarTreeTests in Integration.Tests: other owners, GNU tar, xz).</summary>
public class TarTests
{
    [Fact]
    public void MtimesAreClampedToTheEpoch()
    {
        using var t = TestTree.Sample(owners: false);
        Assert.All(TarBytes.Read(TarBytes.Of(TreeScanner.Scan(t.Dir), clamp: 0)), e => Assert.Equal(0, e.ModificationTime.ToUnixTimeSeconds()));
    }

    [Fact]
    public void EntriesAreSortedAndOwnersAreNumericOnly()
    {
        using var t = TestTree.Sample(owners: false);
        var entries = TarBytes.Read(TarBytes.Of(TreeScanner.Scan(t.Dir)));
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        Assert.All(entries.OfType<PosixTarEntry>(), e => Assert.Equal(("", ""), (e.UserName, e.GroupName)));
    }

    [Theory]
    [InlineData(Compression.Zstd)]
    [InlineData(Compression.Gzip)]
    [InlineData(Compression.None)]
    public void PackingTheSameTreeTwiceGivesIdenticalBytes(Compression compression)
    {
        using var t = TestTree.Sample(owners: false);
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
        using var t = TestTree.Sample(owners: false);
        t.File("etc/other", "same");
        var before = TarBytes.Read(TarBytes.Of(TreeScanner.Scan(t.Dir)));
        t.File("etc/other", "changed");
        var after = TarBytes.Read(TarBytes.Of(TreeScanner.Scan(t.Dir)));

        string Describe(System.Formats.Tar.TarEntry e) =>
            $"{e.Name} {e.EntryType} {e.Mode} {e.Uid} {e.Gid} {e.LinkName} {(e.DataStream is null ? "" : new StreamReader(e.DataStream).ReadToEnd())}";
        var differing = before.Zip(after).Where(p => Describe(p.First) != Describe(p.Second)).Select(p => p.First.Name).ToArray();
        Assert.Equal(before.Count, after.Count);
        Assert.Equal(["etc/other"], differing);
    }
}
