using Vz.Bundle.Minify;
using Vz.Oci;
using Vz.Tests;

namespace Vz.Bundle.Tests.Input;

/// <summary>What bundle and minify refuse before they touch anything.</summary>
public sealed class BundleInputTests : IDisposable
{
    readonly TempDir dir = new("vz-bundle-input-");

    public void Dispose() => dir.Dispose();

    [Fact]
    public void StrictBundleRefusesAListedPathMissingFromTheRootNamingItAndWritesNothing()
    {
        dir.Write("root/bin/app", "x");
        var spec = dir.Write("s.spec", "# vz-command: [\"/bin/app\"]\n/bin/app\n/does/not/exist\n");
        var request = new SpecBundleRequest { SpecPath = spec, Root = dir["root"], OutDir = dir["out"], Name = "s", Strict = true };

        var e = Assert.Throws<VzException>(() => SpecBundle.Build(request, new CollectingReporter()));

        Assert.Equal(BundleErrors.PathNotFound, e.Error);
        Assert.Contains("/does/not/exist", e.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public void ASpecThatIsADirectoryIsOneErrorNotABug()
    {
        Directory.CreateDirectory(dir["spec-dir"]);
        var request = new SpecBundleRequest { SpecPath = dir["spec-dir"], OutDir = dir["out"], Name = "s" };
        Assert.Equal("VZ1104", Assert.Throws<VzException>(() => SpecBundle.Build(request, new CollectingReporter())).Code);
    }

    static MinifyRequest Minify(string source, string outDir) => new()
    {
        Source = source,
        OutDir = outDir,
        Command = ["/bin/true"],
        Reference = ImageReference.Parse("localhost/t:1"),
    };

    [Fact]
    public async Task MinifyOutputNamingTheInputArchiveIsRefusedAndTheArchiveKept()
    {
        var archive = dir.Write("img.tar", "not really an archive");
        var e = await Assert.ThrowsAsync<VzException>(() => Minifier.RunAsync(Minify(archive, archive), new CollectingReporter()));
        Assert.Equal(MinifyErrors.OutputOverlapsSource, e.Error);
        Assert.Contains("the source archive", e.Message);
        Assert.Equal("not really an archive", File.ReadAllText(archive));
    }

    [Fact]
    public async Task MinifyOutputInsideASourceRootfsIsRefusedBeforeAnythingIsWritten()
    {
        dir.Write("rootfs/bin/true", "x");
        var e = await Assert.ThrowsAsync<VzException>(() => Minifier.RunAsync(Minify(dir["rootfs"], dir["rootfs/out"]), new CollectingReporter()));
        Assert.Equal(MinifyErrors.OutputOverlapsSource, e.Error);
        Assert.False(Directory.Exists(dir["rootfs/out"]));
        // Through a symlink to the rootfs: the same directory.
        File.CreateSymbolicLink(dir["link"], dir["rootfs"]);
        Assert.Equal(MinifyErrors.OutputOverlapsSource,
            (await Assert.ThrowsAsync<VzException>(() => Minifier.RunAsync(Minify(dir["rootfs"], dir["link"]), new CollectingReporter()))).Error);
    }

    [Fact]
    public async Task MinifySourceInsideTheWorkDirectoryItEmptiesIsRefused()
    {
        var archive = dir.Write("out/.work/img.tar", "x");
        var e = await Assert.ThrowsAsync<VzException>(() => Minifier.RunAsync(Minify(archive, dir["out"]), new CollectingReporter()));
        Assert.Equal(MinifyErrors.OutputOverlapsSource, e.Error);
        Assert.True(File.Exists(archive));
    }

    [Fact]
    public void AnExerciseFileThatIsADirectoryIsVZ2330()
    {
        Assert.Equal(MinifyErrors.CannotReadExercise, Assert.Throws<VzException>(() => ShellWords.ReadCommands(dir.Path)).Error);
    }
}
