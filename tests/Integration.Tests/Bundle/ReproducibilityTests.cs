using System.Formats.Tar;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Bundle;

/// <summary>Two builds from the same inputs give the same bytes; a changed file changes only its own entry.</summary>
public class ReproducibilityTests
{
    [Fact]
    public void TwoPacksAndTwoImagesFromTheSameInputsAreByteIdentical()
    {
        using var dir = new ScratchDir("bundle");
        var spec = BundleRunTests.WriteSpec(dir, "bb.spec", ["/bin/busybox", "echo", "hi"], ["/bin/busybox"]);
        foreach (var n in new[] { "one", "two" })
        {
            Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir[n], "--pack", dir[n + ".tar.zst"]);
            Vzbuild.Checked("image", dir[n], "--tag", "localhost/vz-repro:1", "-o", dir[n + ".oci.tar"]);
        }
        Assert.Equal(File.ReadAllBytes(dir["one.tar.zst"]), File.ReadAllBytes(dir["two.tar.zst"]));
        Assert.Equal(File.ReadAllBytes(dir["one.oci.tar"]), File.ReadAllBytes(dir["two.oci.tar"]));
    }

    [Fact]
    public void ChangingOneFileChangesOnlyThatEntryOfThePack()
    {
        using var dir = new ScratchDir("bundle");
        dir.Write("root/etc/app.conf", "v1\n");
        dir.Write("root/etc/other.conf", "same\n");
        Directory.CreateDirectory(dir["root/usr/bin"]);
        File.Copy(Tools.Require("busybox"), dir["root/usr/bin/busybox"]);
        var spec = BundleRunTests.WriteSpec(dir, "s.spec", ["/usr/bin/busybox", "true"],
            ["/etc/app.conf", "/etc/other.conf", "/usr/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--root", dir["root"], "--no-closure", "-o", dir["a"], "--pack", dir["a.tar"]);
        File.WriteAllText(dir["root/etc/app.conf"], "v2\n");
        Vzbuild.Checked("bundle", spec, "--root", dir["root"], "--no-closure", "-o", dir["b"], "--pack", dir["b.tar"]);

        var a = Entries(dir["a.tar"]);
        var b = Entries(dir["b.tar"]);
        Assert.Equal(a.Keys, b.Keys);
        Assert.Equal(["rootfs/etc/app.conf"], a.Keys.Where(k => a[k] != b[k]));
    }

    static Dictionary<string, string> Entries(string tar)
    {
        var d = new Dictionary<string, string>();
        using var reader = new TarReader(File.OpenRead(tar));
        while (reader.GetNextEntry(copyData: true) is { } e)
        {
            var content = e.DataStream is null ? "" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(e.DataStream));
            d[e.Name] = $"{e.EntryType} {e.Mode} {e.Uid}:{e.Gid} {e.ModificationTime.ToUnixTimeSeconds()} {e.LinkName} {content}";
        }
        return d;
    }
}
