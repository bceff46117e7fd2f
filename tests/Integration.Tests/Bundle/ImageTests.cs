using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Vz.Bundle.Fs;
using Vz.Bundle.Image;
using Vz.Bundle.Runtime;
using Vz.Oci;

namespace Vz.Bundle.Tests;

public class ImageTests
{
    /// <summary>A bundle with one executable, made by BundleBuilder from a scratch source root.</summary>
    static (TestTree Src, TestTree Out, string Bundle) MakeBundle(params string[] ports)
    {
        var src = new TestTree();
        var dst = new TestTree();
        src.File("usr/bin/app", "app-v1", Modes.O755, 0, 0, 1_600_000_000);
        src.Symlink("bin", "usr/bin");
        var bundle = dst["b"];
        BundleBuilder.Build(new BundleRequest
        {
            Paths = ["/bin/app"],
            SourceRoot = src.Dir,
            OutDir = bundle,
            Runtime = new RuntimeOptions { Args = ["/bin/app", "--serve"], Env = ["MODE=prod"], Cwd = "/tmp", Ports = ports },
            User = "1000:1000",
        });
        return (src, dst, bundle);
    }

    static ImageOptions Options(string reference = "localhost/vz-app:1.0") => new() { Reference = ImageReference.Parse(reference), Epoch = 0, Architecture = "amd64" };

    [Fact]
    public void ImageConfigCarriesCommandEnvCwdUserAndPorts()
    {
        var (src, dst, bundle) = MakeBundle("8080");
        using var _ = src; using var __ = dst;
        var image = ImageBuilder.Build(bundle, Options() with { Ports = ["9090/udp"] });
        var c = image.Config.Config;
        Assert.Equal(["/bin/app", "--serve"], c.Cmd);
        Assert.Contains("MODE=prod", c.Env!);
        Assert.Equal("/tmp", c.WorkingDir);
        Assert.Equal("1000:1000", c.User);
        Assert.Equal(["8080/tcp", "9090/udp"], c.ExposedPorts!.Keys);
        Assert.Equal([image.Layer.Descriptor.Digest], image.Config.Rootfs.DiffIds);
        Assert.Equal(MediaTypes.LayerTar, image.Manifest.Layers.Single().MediaType);
        Assert.Contains("\"ExposedPorts\":{\"8080/tcp\":{},\"9090/udp\":{}}", System.Text.Encoding.UTF8.GetString(image.ConfigBytes));
    }

    [Fact]
    public void BuildingTwiceGivesTheSameDigestAndIdenticalArchiveBytes()
    {
        var (src, dst, bundle) = MakeBundle();
        using var _ = src; using var __ = dst;
        var a = ImageBuilder.Build(bundle, Options());
        OciArchive.Write(a, dst["a.tar"]);
        var b = ImageBuilder.Build(bundle, Options());
        OciArchive.Write(b, dst["b.tar"]);
        Assert.Equal(a.ManifestDescriptor.Digest, b.ManifestDescriptor.Digest);
        Assert.Equal(File.ReadAllBytes(dst["a.tar"]), File.ReadAllBytes(dst["b.tar"]));
    }

    [Fact]
    public void ChangingOneFileChangesTheLayerAndManifestDigests()
    {
        var (src, dst, bundle) = MakeBundle();
        using var _ = src; using var __ = dst;
        var a = ImageBuilder.Build(bundle, Options());
        File.WriteAllText(Path.Combine(bundle, "rootfs/usr/bin/app"), "app-v2");
        var b = ImageBuilder.Build(bundle, Options());
        Assert.NotEqual(a.Layer.Descriptor.Digest, b.Layer.Descriptor.Digest);
        Assert.NotEqual(a.ManifestDescriptor.Digest, b.ManifestDescriptor.Digest);
    }

    [Fact]
    public void EveryBlobIsStoredUnderItsOwnDigestWithTheDeclaredSizes()
    {
        var (src, dst, bundle) = MakeBundle();
        using var _ = src; using var __ = dst;
        var image = ImageBuilder.Build(bundle, Options());
        OciArchive.Write(image, dst["img.tar"]);

        var blobs = new Dictionary<string, byte[]>();
        var names = new List<string>();
        using (var reader = new TarReader(File.OpenRead(dst["img.tar"])))
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                names.Add(e.Name);
                if (e.Name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && e.DataStream is { } ds)
                {
                    var bytes = new BinaryReader(ds).ReadBytes((int)e.Length);
                    Assert.Equal(e.Name["blobs/sha256/".Length..], Convert.ToHexStringLower(SHA256.HashData(bytes)));
                    blobs["sha256:" + e.Name["blobs/sha256/".Length..]] = bytes;
                }
            }
        Assert.Contains("oci-layout", names);
        Assert.Contains("index.json", names);
        var index = JsonDocument.Parse(OciArchive.ReadMember(dst["img.tar"], "index.json")).RootElement;
        var manifestDigest = index.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var manifest = JsonDocument.Parse(blobs[manifestDigest]).RootElement;
        var layer = manifest.GetProperty("layers")[0];
        Assert.Equal(blobs[layer.GetProperty("digest").GetString()!].Length, layer.GetProperty("size").GetInt64());
        var config = JsonDocument.Parse(blobs[manifest.GetProperty("config").GetProperty("digest").GetString()!]).RootElement;
        // Uncompressed layer: its diff ID is its digest.
        Assert.Equal(layer.GetProperty("digest").GetString(), config.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
    }

    [Fact]
    public void ReadIndexGivesNameTagAndManifestDigest()
    {
        var (src, dst, bundle) = MakeBundle();
        using var _ = src; using var __ = dst;
        var image = ImageBuilder.Build(bundle, Options("localhost/vz-app:2.5"));
        OciArchive.Write(image, dst["img.tar"]);
        var info = OciArchive.ReadIndex(dst["img.tar"]);
        Assert.Equal(new ImageReference("localhost/vz-app", "2.5"), info.Reference);
        Assert.Equal(image.ManifestDescriptor, info.Manifest);
    }
}
