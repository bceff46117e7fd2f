using System.Formats.Tar;
using Vz.Tests;

namespace Vz.Oci.Tests;

/// <summary>Archives vz did not make: a member that claims any size, a directory, a link out of an unpacked layout.</summary>
public class ArchiveReadingTests
{
    [Fact]
    public void AnIndexJsonThatClaimsMoreThanTheDocumentLimitIsRefusedBeforeItIsRead()
    {
        // A header saying 1 GiB, and that much (sparse) data behind it: reading it would fill memory.
        using var dir = new TempDir();
        var tar = dir["big.tar"];
        using (var fs = File.Create(tar))
        {
            var header = new PaxTarEntry(TarEntryType.RegularFile, "index.json") { DataStream = new ZeroStream(1L << 30) };
            using var w = new TarWriter(fs, leaveOpen: true);
            w.WriteEntry(header);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<VzException>(() => OciArchive.ReadIndex(tar));
        Assert.Equal(OciErrors.NotAnArchive, e.Error);
        Assert.Contains("4 MiB", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
    }

    [Fact]
    public void ADirectoryGivenAsAnArchiveIsNotAnArchive()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<VzException>(() => OciArchive.ReadIndex(dir.Path));
        Assert.Equal(OciErrors.NotAnArchive, e.Error);
        Assert.Contains("directory", e.Message);
    }

    [Fact]
    public void ALayoutMemberReachedThroughASymlinkIsRefused()
    {
        using var outside = new TempDir();
        using var dir = new TempDir();
        outside.Write("cfg.json", """{"config":{"Cmd":["/x"]}}""");
        dir.Write("d/manifest.json", """[{"Config":"out/cfg.json","Layers":[]}]""");
        File.CreateSymbolicLink(dir["d/out"], outside.Path);
        var e = Assert.Throws<VzException>(() => ImageLayout.Read(dir["d"], "x.tar"));
        Assert.Equal(OciErrors.BadArchiveContent, e.Error);
        Assert.Contains("symlink", e.Message);
    }

    /// <summary>Zero bytes of a given length, never held in memory.</summary>
    sealed class ZeroStream(long length) : Stream
    {
        long position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            Array.Clear(buffer, offset, n);
            position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
