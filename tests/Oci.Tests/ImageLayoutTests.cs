using System.Formats.Tar;
using Vz.Tests;

namespace Vz.Oci.Tests;

public class ImageLayoutTests
{
    /// <summary>An image written by <see cref="OciArchive.Write"/> to img.tar and extracted to layout/.</summary>
    static BuiltImage Unpacked(TempDir dir)
    {
        var image = Images.Build("localhost/app:1", ("bin/app", "v1"));
        OciArchive.Write(image, dir["img.tar"]);
        TarFile.ExtractToDirectory(dir["img.tar"], Directory.CreateDirectory(dir["layout"]).FullName, overwriteFiles: false);
        return image;
    }

    [Fact]
    public void AnUnpackedOciArchiveGivesItsLayerBlobAndRunConfig()
    {
        using var dir = new TempDir();
        var image = Unpacked(dir);

        var read = ImageLayout.Read(dir["layout"], "img.tar");

        var layer = Assert.Single(read.LayerFiles);
        Assert.Equal(dir["layout/" + OciArchive.BlobPath(image.Layer.Descriptor.Digest)], layer);
        Assert.Equal(["/bin/app"], read.Config!.Cmd);
        Assert.Equal("/srv", read.Config.WorkingDir);
    }

    [Fact]
    public void AnIndexNestedInTheIndexGivesItsFirstManifest()
    {
        using var dir = new TempDir();
        var image = Unpacked(dir);
        // As skopeo writes multi-arch images: index.json -> an image index blob -> the manifest.
        var nested = OciJson.Serialize(new ImageIndex([image.ManifestDescriptor]));
        var nestedDesc = OciJson.Describe(MediaTypes.Index, nested);
        dir.Write("layout/" + OciArchive.BlobPath(nestedDesc.Digest), nested);
        dir.Write("layout/index.json", OciJson.Serialize(new ImageIndex([nestedDesc])));

        Assert.Equal(["/bin/app"], ImageLayout.Read(dir["layout"], "img.tar").Config!.Cmd);
    }

    [Fact]
    public void AnUnpackedDockerArchiveGivesItsLayersInOrder()
    {
        using var dir = new TempDir();
        dir.Write("d/manifest.json", """[{"Config":"cfg.json","RepoTags":["localhost/x:1"],"Layers":["l1/layer.tar","./l2/layer.tar"]}]""");
        dir.Write("d/cfg.json", """{"architecture":"amd64","config":{"Env":["PATH=/bin"],"User":"7"}}""");
        dir.Write("d/l1/layer.tar", "");
        dir.Write("d/l2/layer.tar", "");

        var read = ImageLayout.Read(dir["d"], "x.tar");

        Assert.Equal([dir["d/l1/layer.tar"], dir["d/l2/layer.tar"]], read.LayerFiles);
        Assert.Equal("7", read.Config!.User);
    }

    [Theory]
    [InlineData("""[{"Config":"cfg.json","Layers":["../../etc/passwd"]}]""", "outside the archive")]
    [InlineData("""[{"Config":"cfg.json","Layers":["nope.tar"]}]""", "missing nope.tar")]
    [InlineData("""[{"Config":"cfg.json"}]""", "no Config or Layers")]
    public void ADockerManifestNamingABadMemberIsRefused(string manifest, string says)
    {
        using var dir = new TempDir();
        dir.Write("d/manifest.json", manifest);
        dir.Write("d/cfg.json", "{}");
        var e = Assert.Throws<VzException>(() => ImageLayout.Read(dir["d"], "x.tar"));
        Assert.Equal("VZ2312", e.Code);
        Assert.Contains(says, e.Message);
    }

    [Theory]
    [InlineData("sha256:ZZ")]
    [InlineData("sha256:../../x")]
    [InlineData("sha256")]
    public void AnIndexWithABadDigestIsRefused(string digest)
    {
        using var dir = new TempDir();
        dir.Write("d/index.json", $$"""{"manifests":[{"digest":"{{digest}}"}]}""");
        var e = Assert.Throws<VzException>(() => ImageLayout.Read(dir["d"], "x.tar"));
        Assert.Equal(OciErrors.BadArchiveContent, e.Error);
    }

    [Fact]
    public void ADirectoryWithNeitherManifestNorIndexIsNotAnArchive()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["d"]);
        Assert.Equal(OciErrors.NotAnArchive, Assert.Throws<VzException>(() => ImageLayout.Read(dir["d"], "x.tar")).Error);
    }
}
