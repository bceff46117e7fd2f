using Vz.Deploy.Push;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Fleet;

/// <summary>One image built by vzbuild: the archive, its name, and the manifest digest podman reports for it.</summary>
public sealed record BuiltImage(string Archive, string Name, string ManifestDigest)
{
    public string Sha256 { get; } = ImageArchive.Sha256Of(Archive);
}

/// <summary>
/// Real images made the way a user makes them: <c>vzbuild ldd</c> of python3.11 plus parts of its
/// stdlib by <c>+ GLOB</c>, <c>vzbuild bundle</c>, <c>vzbuild image</c>. Each pair differs in one file
/// of the rootfs. Big (the whole stdlib, over 50 MB) is for the delta size bound; small (about
/// 17 MB) keeps twenty cut-and-retry rounds quick.
/// </summary>
public sealed class FleetImages : IDisposable
{
    readonly ScratchDir dir = new("fleet-images");

    public string Repo { get; }
    public BuiltImage BigV1 { get; }
    public BuiltImage BigV2 { get; }
    public BuiltImage SmallA { get; }
    public BuiltImage SmallB { get; }

    public FleetImages()
    {
        foreach (var tool in new[] { "xdelta3", "zstd" })
            if (ProcessRunner.Which(tool) is null)
                throw new InvalidOperationException($"{tool} is not installed: run bash harness/install-packages.sh");
        const string python = "/usr/bin/python3.11";
        if (!File.Exists(python))
            throw new InvalidOperationException($"{python} is missing: the fleet images are built from it");
        Repo = $"localhost/vz-fleet-{dir.Id.Replace("fleet-images-", "")}";

        var spec = dir["py.spec"];
        Vzbuild.Checked("ldd", "-o", spec, python);
        var closure = File.ReadAllText(spec);
        (BigV1, BigV2) = Pair("big", closure + "+ /usr/lib/python3.11/**\n");
        (SmallA, SmallB) = Pair("small", closure + "+ /usr/lib/python3.11/*.py\n+ /usr/lib/python3.11/encodings/**\n");
    }

    /// <summary>Two images of one bundle: the second with one file of the rootfs changed.</summary>
    (BuiltImage, BuiltImage) Pair(string name, string specText)
    {
        var spec = dir.Write($"{name}.spec", specText);
        var bundle = dir[$"{name}.bundle"];
        Vzbuild.Checked("bundle", spec, "-o", bundle, "--cmd", "[\"/usr/bin/python3.11\",\"-c\",\"import time; time.sleep(1e6)\"]");
        var first = Image(bundle, name, "1");
        return (first, NextVersion(name, 2));
    }

    /// <summary>The next version of the small image: one more line in one file of its rootfs.</summary>
    public BuiltImage NextSmall(int version) => NextVersion("small", version);

    BuiltImage NextVersion(string name, int version)
    {
        var bundle = dir[$"{name}.bundle"];
        File.AppendAllText(Path.Combine(bundle, "rootfs/usr/lib/python3.11/this.py"), $"\n# vz fleet test: version {version}\n");
        return Image(bundle, name, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    BuiltImage Image(string bundle, string name, string tag)
    {
        var archive = dir[$"{name}-{tag}.tar"];
        var image = $"{Repo}-{name}:{tag}";
        var digest = Vzbuild.Checked("image", bundle, "-t", image, "-o", archive).StdOut.Trim();
        return new BuiltImage(archive, image, digest);
    }

    /// <summary>Bytes of the archive as zstd -9 writes it: "the full compressed image size".</summary>
    public static long ZstdSize(string archive)
    {
        var zst = archive + ".zst";
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "zstd", "-q", "-f", "-9", archive, "-o", zst);
        var size = new FileInfo(zst).Length;
        File.Delete(zst);
        return size;
    }

    public void Dispose() => dir.Dispose();
}
