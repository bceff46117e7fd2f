using System.Text.Json;
using Vz.Tests;

namespace Vz.Oci.Tests;

public class OciArchiveTests
{
    [Fact]
    public void WrittenArchiveReadsBackItsNameTagAndManifest()
    {
        using var dir = new TempDir();
        var image = Images.Build("localhost/vz-app:2.5", ("bin/app", "v1"));
        OciArchive.Write(image, dir["img.tar"]);

        var info = OciArchive.ReadIndex(dir["img.tar"]);

        Assert.Equal(new ImageReference("localhost/vz-app", "2.5"), info.Reference);
        Assert.Equal("localhost/vz-app:2.5", info.Name);
        Assert.Equal(image.ManifestDescriptor, info.Manifest);
        Assert.Equal(image.ManifestBytes, OciArchive.ReadMember(dir["img.tar"], OciArchive.BlobPath(image.ManifestDescriptor.Digest)));
    }

    [Fact]
    public void WritingTheSameImageTwiceGivesIdenticalBytes()
    {
        using var dir = new TempDir();
        OciArchive.Write(Images.Build("localhost/a:1", ("x", "y")), dir["a.tar"]);
        OciArchive.Write(Images.Build("localhost/a:1", ("x", "y")), dir["b.tar"]);
        Assert.Equal(File.ReadAllBytes(dir["a.tar"]), File.ReadAllBytes(dir["b.tar"]));
    }

    [Fact]
    public void ReadIndexOfANonArchiveSaysSo()
    {
        using var dir = new TempDir();
        var f = dir.Write("x.tar", "not a tar at all");
        Assert.Equal("VZ2034", Assert.Throws<VzException>(() => OciArchive.ReadIndex(f)).Code);
    }

    [Fact]
    public void ReadIndexOfAnArchiveWithoutManifestsSaysSo()
    {
        var tar = new MemoryStream(Images.Tar(("index.json", "{\"schemaVersion\":2}")));
        var e = Assert.Throws<VzException>(() => OciArchive.ReadIndex(tar, "x.tar"));
        Assert.Equal("VZ2034", e.Code);
        Assert.Contains("lists no manifest", e.Message);
    }

    [Fact]
    public void ReadIndexOfAnArchiveWithoutIndexJsonSaysHowToMakeOne()
    {
        var e = Assert.Throws<VzException>(() => OciArchive.ReadIndex(new MemoryStream(Images.Tar(("x", "y"))), "x.tar"));
        Assert.Equal(OciErrors.NotAnArchive, e.Error);
        Assert.Contains("podman save --format oci-archive", e.Hint);
    }

    [Fact]
    public void BadIndexJsonIsABadJsonError() =>
        Assert.Equal(OciErrors.BadJson, Assert.Throws<VzException>(() =>
            OciArchive.ReadIndex(new MemoryStream(Images.Tar(("index.json", "{\"manifests\":"))), "x.tar")).Error);

    [Fact]
    public void PodmanSavesFullNameInRefNameAndItIsTheNameEvenWithADigest()
    {
        // podman save --format oci-archive annotates only ref.name, with the full name.
        var tar = Images.Tar(("./index.json",
            """{"schemaVersion":2,"manifests":[{"mediaType":"m","digest":"sha256:00","size":1,"annotations":{"org.opencontainers.image.ref.name":"registry.example.org/team/app@sha256:abc"}}]}"""));

        var info = OciArchive.ReadIndex(new MemoryStream(tar), "x.tar");

        Assert.Equal("registry.example.org/team/app@sha256:abc", info.Name);
        Assert.Null(info.Manifest.Annotations);
        Assert.Equal("sha256:00", info.Manifest.Digest);
    }

    [Fact]
    public void AContainerdNameThatIsNotATagGivesANameButNoReference()
    {
        var index = JsonSerializer.Deserialize<ImageIndex>(
            """{"manifests":[{"digest":"sha256:00","annotations":{"io.containerd.image.name":"localhost/app@sha256:abc"}}]}""")!;
        var info = OciArchive.Describe(index, "index.json");
        Assert.Null(info.Reference);
        Assert.Equal("localhost/app@sha256:abc", info.Name);
    }

    [Fact]
    public void TheNameComesFromTheFirstManifestThatHasOne()
    {
        var index = JsonSerializer.Deserialize<ImageIndex>(
            """{"manifests":[{"digest":"sha256:00"},{"digest":"sha256:01","annotations":{"org.opencontainers.image.ref.name":"localhost/b:2"}}]}""")!;
        var info = OciArchive.Describe(index, "index.json");
        Assert.Equal("localhost/b:2", info.Name);
        Assert.Equal("sha256:00", info.Manifest.Digest);
    }
}
