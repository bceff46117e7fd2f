using System.Formats.Tar;
using Vz.Tests;

namespace Vz.Oci.Tests;

/// <summary>The image archive reader fed mutated archives and mutated layout documents.</summary>
public sealed class ArchiveFuzzTests : IDisposable
{
    readonly TempDir dir = new("vz-oci-fuzz-");

    public void Dispose() => dir.Dispose();

    static readonly string[] JsonTokens = ["{", "}", "[", "]", "\"digest\":", "\"sha256:", "\"manifests\":", "\"layers\":", "\"config\":",
        "null", "true", "1e999", "\"mediaType\":", "\"annotations\":{", "../", "\"Layers\":[\"", "\"Config\":\""];

    /// <summary>An archive as vzbuild image writes it, and one as podman save names its image.</summary>
    byte[][] Archives()
    {
        var a = Images.Build("localhost/app:1", ("bin/app", "v1"), ("etc/conf", "x=1"));
        OciArchive.Write(a, dir["a.tar"]);
        var b = Images.Build("localhost/other:2", ("srv/data", new string('d', 600)));
        OciArchive.Write(b, dir["b.tar"]);
        return [File.ReadAllBytes(dir["a.tar"]), File.ReadAllBytes(dir["b.tar"])];
    }

    [Fact]
    public void MutatedArchivesGiveTheirIndexOrAnArchiveError()
    {
        var corpus = Archives();
        var r = Fuzz.Run(corpus, new FuzzOptions { Seed = 8_003, Tokens = [.. JsonTokens, "ustar", "index.json", "0000777", "\0\0\0\0"] }, bytes =>
        {
            var info = OciArchive.ReadIndex(new MemoryStream(bytes), "x.tar");
            Assert.StartsWith("sha256:", info.Manifest.Digest);
            OciArchive.ReadMember(new MemoryStream(bytes), OciArchive.BlobPath(info.Manifest.Digest), "x.tar");
        }, e => e is VzException v && (v.Error == OciErrors.NotAnArchive || v.Error == OciErrors.BadJson));
        Assert.True(r.Accepted > 100 && r.Refused > 300, $"{r}");

        // index.json with each value nulled, retyped or removed, in an otherwise good archive.
        var image = Images.Build("localhost/app:1", ("bin/app", "v1"));
        var swept = Fuzz.Check(Fuzz.JsonSweep(image.IndexBytes).Select(index => Images.Tar(("index.json", System.Text.Encoding.UTF8.GetString(index)))),
            new FuzzOptions { Seed = 8_011 }, bytes => OciArchive.ReadIndex(new MemoryStream(bytes), "x.tar"),
            e => e is VzException v && (v.Error == OciErrors.NotAnArchive || v.Error == OciErrors.BadJson));
        Assert.True(swept.Accepted > 10 && swept.Refused > 10, $"{swept}");
    }

    [Theory]
    [InlineData("index.json", 8_004)]
    [InlineData("manifest", 8_005)]
    [InlineData("config", 8_006)]
    public void MutatedLayoutDocumentsGiveLayersAndRunConfigOrALayoutError(string document, int seed)
    {
        var image = Images.Build("localhost/app:1", ("bin/app", "v1"));
        OciArchive.Write(image, dir["img.tar"]);
        var layout = Directory.CreateDirectory(dir["layout"]).FullName;
        TarFile.ExtractToDirectory(dir["img.tar"], layout, overwriteFiles: true);
        var target = document switch
        {
            "index.json" => Path.Combine(layout, "index.json"),
            "manifest" => Path.Combine(layout, OciArchive.BlobPath(image.ManifestDescriptor.Digest)),
            _ => Path.Combine(layout, OciArchive.BlobPath(image.ConfigDescriptor.Digest)),
        };
        var original = File.ReadAllBytes(target);
        var options = new FuzzOptions { Seed = seed, Cases = 1000, Tokens = JsonTokens, Structured = Fuzz.MutateJson };
        void Read(byte[] bytes)
        {
            File.WriteAllBytes(target, bytes);
            var read = ImageLayout.Read(layout, "img.tar");
            Assert.All(read.LayerFiles, f => Assert.StartsWith(layout + "/", f));
        }
        static bool Typed(Exception e) => e is VzException v && v.Code is "VZ2031" or "VZ2034" or "VZ2312";
        var swept = Fuzz.Check(Fuzz.JsonSweep(original), options, Read, Typed);
        Assert.True(swept.Refused > 10, $"{swept}");
        var r = Fuzz.Run([original], options, Read, Typed);
        Assert.True(r.Accepted > 20 && r.Refused > 200, $"{r}");
    }
}
