using Vz.Oci;
using System.Formats.Tar;
using Vz.Bundle;
using Vz.Bundle.Fs;
using Vz.Bundle.Runtime;
using Vz.Bundle.Tar;
using Vz.Bundle.Tests;
using Vz.Fs;

namespace Vz.Integration.Tests.Bundle;

/// <summary>BundleBuilder writing real bundles: the rootfs's mount points are root's, so these run as root.</summary>

public class BundleBuilderTests
{
    /// <summary>A source root holding /usr/bin/app (executable unless said otherwise) and a request to bundle it.</summary>
    static BundleRequest AppBundle(TestTree src, TestTree dst, int mode = Modes.O755)
    {
        src.File("usr/bin/app", "x", mode);
        return new BundleRequest
        {
            Paths = ["/usr/bin/app"], SourceRoot = src.Dir, OutDir = dst["b"],
            Runtime = new RuntimeOptions { Args = ["app"] },
        };
    }

    [Fact]
    public void BundleHasRootfsAndAValidatedConfig()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        var r = BundleBuilder.Build(AppBundle(src, dst));
        Assert.True(File.Exists(Path.Combine(dst["b"], "rootfs/usr/bin/app")));
        Assert.Equal(["app"], RuntimeConfigJson.Load(r.ConfigPath).Process.Args);
    }

    [Fact]
    public void AConfigThatFailsValidationLeavesNoBundle()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        var request = AppBundle(src, dst, Modes.O644); // not executable
        var e = Assert.Throws<VzException>(() => BundleBuilder.Build(request with { Runtime = new RuntimeOptions { Args = ["/usr/bin/app"] } }));
        Assert.Equal("VZ2020", e.Code);
        Assert.Empty(TestTree.Listing(dst["b"]));
    }

    [Fact]
    public void AFailedForcedRebuildLeavesThePreviousBundleAsItWas()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        var request = AppBundle(src, dst);
        BundleBuilder.Build(request);
        var before = File.ReadAllText(Path.Combine(dst["b"], "config.json"));
        var e = Assert.Throws<VzException>(() => BundleBuilder.Build(request with { Force = true, Runtime = new RuntimeOptions { Args = ["/usr/bin/missing"] } }));
        Assert.Equal("VZ2020", e.Code);
        Assert.Equal(before, File.ReadAllText(Path.Combine(dst["b"], "config.json")));
        Assert.True(File.Exists(Path.Combine(dst["b"], "rootfs/usr/bin/app")));
        Assert.Equal(["config.json", "rootfs"], Directory.EnumerateFileSystemEntries(dst["b"]).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void AFailedBuildIntoANewDirectoryLeavesNoDirectory()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        var request = AppBundle(src, dst) with { Runtime = new RuntimeOptions { Args = ["/usr/bin/missing"] } };
        Assert.Throws<VzException>(() => BundleBuilder.Build(request));
        Assert.False(Directory.Exists(dst["b"]));
    }

    [Fact]
    public void PackHoldsConfigAndRootfsWithClampedTimes()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        BundleBuilder.Build(AppBundle(src, dst));
        BundleBuilder.Pack(dst["b"], dst["b.tar"], Compression.None, 1000);
        var names = new List<string>();
        using (var reader = new TarReader(File.OpenRead(dst["b.tar"])))
            while (reader.GetNextEntry() is { } e)
            {
                names.Add(e.Name);
                Assert.True(e.ModificationTime.ToUnixTimeSeconds() <= 1000);
            }
        Assert.Equal("config.json", names[0]);
        Assert.Equal("rootfs/", names[1]);
        Assert.Contains("rootfs/usr/bin/app", names);
        Assert.Contains("rootfs/tmp/", names);
    }

    [Fact]
    public void MissingWorkingDirectoryIsCreatedWithItsParents()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        BundleBuilder.Build(AppBundle(src, dst) with { Epoch = 77, Runtime = new RuntimeOptions { Args = ["app"], Cwd = "/srv/app" } });
        var cwd = FileStat.Of(Path.Combine(dst["b"], "rootfs/srv/app"));
        Assert.Equal((UnixFileType.Directory, Modes.O755, 77L), (cwd!.Type, cwd.Permissions, cwd.MTimeSeconds));
        Assert.Equal(77, FileStat.Of(Path.Combine(dst["b"], "rootfs/srv"))!.MTimeSeconds);
    }

    [Fact]
    public void ForceReplacesABundleWithoutTouchingWhatItsSymlinksPointAt()
    {
        using var outside = new TestTree();
        using var src = new TestTree();
        using var dst = new TestTree();
        outside.File("keep/me", "precious");
        src.Symlink("lib", outside.Dir);
        var request = AppBundle(src, dst) with { Paths = ["/usr/bin/app", "/lib"] };
        BundleRequest Request(bool force) => request with { Force = force };
        BundleBuilder.Build(Request(force: false));
        Assert.Equal("VZ2006", Assert.Throws<VzException>(() => BundleBuilder.Build(Request(force: false))).Code);
        // A host-side symlink to the outside directory inside the rootfs, as a hostile rootfs could hold.
        File.CreateSymbolicLink(Path.Combine(dst["b"], "rootfs/hostlink"), outside.Dir);
        BundleBuilder.Build(Request(force: true));
        Assert.Equal("precious", File.ReadAllText(outside["keep/me"]));
        Assert.False(File.Exists(Path.Combine(dst["b"], "rootfs/hostlink")));
    }

    [Fact]
    public void ForceOnAFreshDirectoryJustBuilds()
    {
        using var src = new TestTree();
        using var dst = new TestTree();
        BundleBuilder.Build(AppBundle(src, dst) with { OutDir = dst["new/b"], Force = true });
        Assert.True(File.Exists(Path.Combine(dst["new/b"], "config.json")));
    }
}
