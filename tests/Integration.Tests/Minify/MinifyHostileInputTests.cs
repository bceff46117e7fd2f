using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// `vzbuild minify --from ARCHIVE` on crafted archives: each is refused with one clear error
/// line, or contained in the output, and nothing appears outside the output directory.
/// </summary>
public sealed class MinifyHostileInputTests : IDisposable
{
    readonly ScratchDir dir = new("minify-hostile");

    public void Dispose() => dir.Dispose();

    ProcessResult Minify(HostileArchive archive, params string[] command) => Minify(archive, [], command);

    ProcessResult Minify(HostileArchive archive, string[] options, params string[] command) =>
        Vzbuild.Run(["minify", "--from", archive.Write(dir["image.tar"]), "-o", dir["out"], "-t", $"localhost/{dir.Id}:1", .. options, "--", .. command]);

    /// <summary>Everything the run left is the archive and the output directory.</summary>
    void AssertNothingOutsideTheOutput()
    {
        var stray = ScratchDir.Listing(dir.Path).Where(p => p is not ("image.tar" or "out" or "rules.spec") && !p.StartsWith("out/", StringComparison.Ordinal));
        Assert.Empty(stray);
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(dir.Path, StringComparison.Ordinal));
    }

    static void AssertOneErrorLine(ProcessResult r, string code, string mentions)
    {
        Assert.Equal(1, r.ExitCode);
        var errors = r.StdErr.Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors);
        Assert.StartsWith($"vzbuild: error {code}: ", line);
        Assert.Contains(mentions, line);
        Assert.DoesNotContain("   at ", r.StdErr); // no stack trace
    }

    [Fact]
    public void LayerEntryNamedWithDotDotIsRefusedAndNothingLandsOutside()
    {
        var escape = $"/tmp/{dir.Id}-escaped";
        var r = Minify(new HostileArchive().WithBusybox().File($"../../../..{escape}", "pwned"), "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2301", "path escapes the root");
        Assert.False(File.Exists(escape));
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void OuterArchiveEntryNamedWithDotDotIsRefused()
    {
        var r = Minify(new HostileArchive().WithBusybox().OuterFile("../outer-escaped", "pwned"), "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2301", "../outer-escaped");
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(dir.Path)!, "outer-escaped")));
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void FileWrittenThroughAnAbsoluteSymlinkOutOfTheRootStaysInsideTheRoot()
    {
        // escape -> an absolute host directory that exists; escape/pwned must land inside the root.
        var outside = Directory.CreateDirectory(dir["outside"]).FullName;
        var r = Minify(new HostileArchive().WithBusybox().Symlink("escape", outside).File("escape/pwned", "contained\n"),
            "/bin/busybox", "cat", "/escape/pwned");
        Assert.True(r.Ok, r.StdErr);
        Assert.Equal("contained\n", r.StdOut); // the traced program (chrooted) found it through the link
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Directory.Delete(outside);
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void HardLinkToAnAbsoluteOutsidePathIsRefusedAsNotInTheImage()
    {
        var r = Minify(new HostileArchive().WithBusybox().HardLink("stolen", "/etc/shadow"), "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2303", "/etc/shadow, which is not in the image");
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void HardLinkWithDotDotIsRefused()
    {
        var r = Minify(new HostileArchive().WithBusybox().HardLink("stolen", "../../../../etc/passwd"), "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2301", "path escapes the root");
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void HardLinkThroughASymlinkOutOfTheRootResolvesInsideTheRoot()
    {
        // etc-link -> /etc: inside the root that is the image's /etc, which has no passwd.
        var r = Minify(new HostileArchive().WithBusybox().Symlink("etc-link", "/etc").HardLink("stolen", "etc-link/passwd"),
            "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2303", "not in the image");
        AssertNothingOutsideTheOutput();
    }

    [Fact]
    public void DeviceNodesAndFifosAreSkippedWithOneWarningAndNeverCreated()
    {
        var r = Minify(new HostileArchive().WithBusybox()
                .CharDevice("dev/mem", 1, 1).CharDevice("opt/null", 1, 3).Fifo("opt/fifo").File("opt/data", "ok\n"),
            "/bin/busybox", "cat", "/opt/data");
        Assert.True(r.Ok, r.StdErr);
        Assert.Equal("ok\n", r.StdOut);
        Assert.Single(r.StdErr.Split('\n'), l => l.Contains("skipped 3 device node(s)/FIFO(s)", StringComparison.Ordinal));
        Assert.True(File.Exists(dir["out/bundle/rootfs/opt/data"]));
        Assert.False(Path.Exists(dir["out/bundle/rootfs/opt/null"]));
        Assert.False(Path.Exists(dir["out/bundle/rootfs/opt/fifo"]));
        AssertNothingOutsideTheOutput();
    }

    [Theory]
    [InlineData("/../../etc/shadow\n", "--rules: path escapes the root: /../../etc/shadow")]
    [InlineData("+ /usr/../../etc/*\n", "--rules line 1: path escapes the root: /usr/../../etc/*")]
    public void RulesSpecNamingPathsOutsideTheRootIsRefused(string rules, string message)
    {
        var spec = dir.Write("rules.spec", rules);
        var r = Minify(new HostileArchive().WithBusybox(), ["--rules", spec], "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2301", message);
        Assert.False(Directory.Exists(dir["out/bundle"]));
    }

    [Fact]
    public void KeepGlobOutsideTheRootIsRefused()
    {
        var r = Minify(new HostileArchive().WithBusybox(), ["--keep", "/../etc/**"], "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2301", "--keep: path escapes the root: /../etc/**");
    }

    [Fact]
    public void SymlinkedProcInTheImageIsRefusedBeforeAnythingIsMountedThroughIt()
    {
        // proc -> a host directory: mounting /proc "inside the image" would mount it there.
        var outside = Directory.CreateDirectory(dir["outside"]).FullName;
        var r = Minify(new HostileArchive().WithBusybox().Symlink("proc", outside), "/bin/busybox", "true");
        AssertOneErrorLine(r, "VZ2320", "is a symlink in the source image");
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Directory.Delete(outside);
        AssertNothingOutsideTheOutput();
    }
}
