using Vz.Deploy.Push;
using Vz.Oci;
using Vz.Oci.Tar;
using Vz.Tests;

namespace Vz.Deploy.Tests.Fakes;

/// <summary>
/// Image archives for push's unit tests: an index.json naming the image and one 1 MiB member of
/// random bytes; V2 differs from V1 in 100 bytes at the same offset, so a delta between them is small.
/// Push reads only the name; the loopback node's podman loads anything.
/// </summary>
public sealed class TestArchives : IDisposable
{
    public const string Image = "localhost/vz-unit:1";
    readonly TempDir dir = new("vz-unit-archives-");

    public TestArchives()
    {
        var layer = new byte[1 << 20];
        new Random(7).NextBytes(layer);
        V1 = Write("v1.tar", layer);
        layer.AsSpan(500_000, 100).Fill(0x5a);
        V2 = Write("v2.tar", layer);
    }

    public string V1 { get; }
    public string V2 { get; }

    /// <summary>The store directory name push uses on nodes for these archives.</summary>
    public string StoreName => ImageArchive.StoreNameOf(Image);

    public static string Sha(string archive) => ImageArchive.Sha256Of(archive);

    /// <summary>The name current points at once the archive is the node's version.</summary>
    public static string ArchiveFile(string archive) => NodeScripts.ArchiveFile(Sha(archive));

    string Write(string name, byte[] layer)
    {
        var index = OciJson.Serialize(new ImageIndex([new Descriptor(MediaTypes.Manifest, "sha256:" + new string('0', 64), 1)
        {
            Annotations = new Dictionary<string, string> { [Annotations.RefName] = Image },
        }]));
        using var fs = File.Create(dir[name]);
        TarStreamWriter.WriteAll([TarEntry.ForData("layer", layer, 0), TarEntry.ForData("index.json", index, 0)], fs, 0);
        return dir[name];
    }

    public void Dispose() => dir.Dispose();
}
