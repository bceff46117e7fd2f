using Vz.Deploy.Push;
using Vz.Deploy.Runc;
using Vz.Oci;
using Vz.Tests;
using static Vz.Deploy.Tests.Runc.LayeredArchive;

namespace Vz.Deploy.Tests.Runc;

public class RuncImageTests
{
    [Fact]
    public void AnArchiveOfGzipAndPlainLayersGivesItsConfigIdLayersInOrderAndItsUsers()
    {
        using var dir = new TempDir("vz-runc-image-");
        Write(dir["a.tar"], "localhost/app:1", new ImageRunConfig { User = "www", Cmd = ["/bin/app"] },
            new TestLayer([Dir("etc/"), File("etc/passwd", "root:x:0:0::/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n"), File("etc/group", "www:x:33:\n")], TestLayer.Gzip),
            new TestLayer([File("bin/app"), File("etc/.wh.motd")]));
        var archive = ImageArchive.Open(dir["a.tar"]);
        var image = RuncImage.Of(archive);
        Assert.Equal(("localhost/app:1", archive.Sha256), (image.Name, image.ArchiveSha256));
        Assert.StartsWith("sha256:", image.ConfigDigest);
        Assert.Equal(["/bin/app"], image.Config.Cmd);
        Assert.Equal([LayerCompression.Gzip, LayerCompression.None], image.Unpack.Layers.Select(l => l.Compression));
        Assert.All(image.Unpack.Layers, l => Assert.StartsWith("blobs/sha256/", l.Member));
        Assert.Equal(["etc/motd"], image.Unpack.Layers[1].Deletes);
        Assert.Contains("www:x:33:33", image.Passwd);
        Assert.Equal("www:x:33:\n", image.Group);
    }

    [Fact]
    public void AZstdLayerIsRefusedWithAWayOut()
    {
        using var dir = new TempDir("vz-runc-image-");
        Write(dir["z.tar"], "localhost/z:1", new ImageRunConfig { Cmd = ["/x"] }, new TestLayer([File("x")], TestLayer.Zstd));
        var e = Assert.Throws<VzException>(() => RuncImage.Of(ImageArchive.Open(dir["z.tar"])));
        Assert.Equal(RuncErrors.CannotUnpack, e.Error);
        Assert.Contains("layer 1: layer type application/vnd.oci.image.layer.v1.tar+zstd", e.Message);
        Assert.Contains("gzip", e.Hint);
    }

    [Fact]
    public void AnUnsafeLayerIsRefusedWhenTheArchiveIsRead()
    {
        using var dir = new TempDir("vz-runc-image-");
        Write(dir["s.tar"], "localhost/s:1", new ImageRunConfig { Cmd = ["/x"] }, new TestLayer([Link("etc", "/etc")]), new TestLayer([File("etc/cron.d/evil")]));
        var e = Assert.Throws<VzException>(() => RuncImage.Of(ImageArchive.Open(dir["s.tar"])));
        Assert.Contains("etc/cron.d/evil goes through the symlink etc", e.Message);
    }
}
