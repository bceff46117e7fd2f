using System.Text.Json.Nodes;
using Vz.Bundle.Image;
using Vz.Bundle.Runtime;
using Vz.Oci;

namespace Vz.Bundle.Tests;

/// <summary>
/// `vzbuild image` (and packing) read bundles others may have made: nothing a config.json names may
/// lie outside the bundle, and the config is validated as `vzbuild bundle` validates its own.
/// </summary>
public sealed class BundleDirectoryTests : IDisposable
{
    readonly TestTree tree = new();
    readonly TestTree outside = new();

    public void Dispose()
    {
        tree.Dispose();
        outside.Dispose();
    }

    /// <summary>A bundle of one executable, config.json as vzbuild bundle writes it, then changed by <paramref name="edit"/>.</summary>
    string Bundle(Action<JsonObject>? edit = null)
    {
        tree.File("b/rootfs/app", "not a real program, but executable", Fs.Modes.O755);
        var json = JsonNode.Parse(RuntimeConfigJson.Serialize(RuntimeConfigFactory.Create(new RuntimeOptions { Args = ["/app"] })))!.AsObject();
        edit?.Invoke(json);
        File.WriteAllText(tree["b/config.json"], json.ToJsonString());
        return tree["b"];
    }

    static VzException ImageFails(string bundle) =>
        Assert.Throws<VzException>(() => ImageBuilder.Build(bundle, new ImageOptions { Reference = ImageReference.Parse("localhost/x:1") }));

    [Theory]
    [InlineData("/etc")]
    [InlineData("../../../../../etc")]
    [InlineData("rootfs/../../../etc")]
    [InlineData("")]
    public void ARootPathOutsideTheBundleIsRefusedAndNothingOfItIsRead(string root)
    {
        var bundle = Bundle(c => c["root"]!["path"] = root);
        var e = ImageFails(bundle);
        Assert.Equal(BundleErrors.RootOutsideBundle, e.Error);
        Assert.Contains("root.path", e.Message);
    }

    [Fact]
    public void ARootfsThatIsASymlinkOutOfTheBundleIsRefused()
    {
        outside.File("shadow", "root:secret:::");
        var bundle = Bundle();
        Directory.Delete(tree["b/rootfs"], recursive: true);
        tree.Symlink("b/rootfs", outside.Dir);
        var e = ImageFails(bundle);
        Assert.Equal(BundleErrors.RootOutsideBundle, e.Error);
        Assert.Contains("symlink", e.Message);
        Assert.Contains(outside.Dir, e.Message);
    }

    [Fact]
    public void ARootPathThroughASymlinkedDirectoryInsideTheBundleIsRefusedToo()
    {
        var bundle = Bundle(c => c["root"]!["path"] = "link/rootfs");
        tree.Symlink("b/link", ".");
        Assert.Equal(BundleErrors.RootOutsideBundle, ImageFails(bundle).Error);
    }

    [Fact]
    public void AConfigJsonThatIsADirectoryOrASymlinkOutIsRefused()
    {
        var bundle = Bundle();
        File.Delete(tree["b/config.json"]);
        Directory.CreateDirectory(tree["b/config.json"]);
        var e = ImageFails(bundle);
        Assert.Equal(OciErrors.BadRuntimeConfig, e.Error);
        Assert.Contains("directory", e.Message);

        Directory.Delete(tree["b/config.json"]);
        Bundle();
        File.Move(tree["b/config.json"], outside["config.json"]);
        tree.Symlink("b/config.json", outside["config.json"]);
        Assert.Contains("symlink", ImageFails(bundle).Message);
    }

    [Fact]
    public void AConfigJsonOverTheLimitIsRefusedWithoutParsingIt()
    {
        var bundle = Bundle();
        File.WriteAllText(tree["b/config.json"], new string(' ', (int)RuntimeConfigJson.MaxBytes + 1));
        var e = ImageFails(bundle);
        Assert.Equal(OciErrors.BadRuntimeConfig, e.Error);
        Assert.Contains("1 MiB", e.Message);
    }

    [Theory]
    [InlineData("process", "process is null, not an object")]
    [InlineData("root", "root is missing")]
    [InlineData("ociVersion", "ociVersion is missing")]
    [InlineData("process.args", "process.args is missing")]
    [InlineData("process.cwd", "process.cwd is missing")]
    [InlineData("root.path", "root.path is missing")]
    public void AConfigJsonWithoutWhatTheRuntimeSpecRequiresIsNotARuntimeConfig(string member, string message)
    {
        var bundle = Bundle(c =>
        {
            var (parent, name) = member.Split('.') is [var top, var sub] ? (c[top]!.AsObject(), sub) : (c, member);
            if (member == "process")
                parent[name] = null;
            else
                parent.Remove(name);
        });
        var e = ImageFails(bundle);
        Assert.Equal(OciErrors.BadRuntimeConfig, e.Error);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("args", "[]", "process.args is empty")]
    [InlineData("cwd", "\"srv\"", "process.cwd must be absolute")]
    [InlineData("env", "[\"NOEQUALS\"]", "'NOEQUALS' is not KEY=VALUE")]
    [InlineData("env", "[null]", "process.env[0] is null")]
    [InlineData("args", "[\"/app\", null]", "process.args[1] is null")]
    [InlineData("args", "[\"/missing\"]", "/missing is not in the rootfs")]
    public void ImageValidatesTheConfigAsBundleDoes(string field, string json, string message)
    {
        var bundle = Bundle(c => c["process"]![field] = JsonNode.Parse(json));
        var e = ImageFails(bundle);
        Assert.Equal(BundleErrors.InvalidConfig, e.Error);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AWellFormedBundleGivesAnImageOfItsRootfsOnly()
    {
        outside.File("secret", "x");
        var image = ImageBuilder.Build(Bundle(), new ImageOptions { Reference = ImageReference.Parse("localhost/x:1") });
        Assert.Equal(["app"], image.Layer.Entries.Select(e => e.Name));
        Assert.Equal(["/app"], image.Config.Config.Cmd);
    }

    [Fact]
    public void PackingReadsTheBundleUnderTheSameRules()
    {
        var bundle = Bundle(c => c["root"]!["path"] = "/etc");
        Assert.Equal(BundleErrors.RootOutsideBundle,
            Assert.Throws<VzException>(() => BundleBuilder.Pack(bundle, tree["b.tar"], Tar.Compression.None, 0)).Error);
        Assert.False(File.Exists(tree["b.tar"]));
    }
}
