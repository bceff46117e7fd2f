using System.Diagnostics;
using System.Globalization;
using Vz.Integration.Tests.Infra;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// `vzbuild minify` on a full Debian image (debootstrap minbase + python3, imported with
/// `podman import`) for the python json+sqlite3 workload, from each kind of source.
/// </summary>
public sealed class MinifyDebianTests(DebianFullImage full, ITestOutputHelper log) : IClassFixture<DebianFullImage>, IDisposable
{
    readonly ScratchDir dir = new("minify");

    public void Dispose() => dir.Dispose();

    ProcessResult Minify(string from, string output, params string[] more)
    {
        var watch = Stopwatch.StartNew();
        var r = Vzbuild.Run(full.Podman.Environment,
            ["minify", "--from", from, "-o", output, "-t", $"localhost/{dir.Id}:min", .. more]);
        log.WriteLine($"minify --from {from}: {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(r.Ok, $"vzbuild minify exited {r.ExitCode}: {r.StdErr}");
        return r;
    }

    [Fact]
    public void MinifiedFullDebianImageIsOverTenTimesSmallerAndPrintsTheSame()
    {
        var r = Minify(full.Image, dir["out"], "--", "python3", DebianFullImage.App);
        Assert.Equal(full.Output, r.StdOut); // the traced run inside the unpacked image

        var podman = full.Podman;
        var image = podman.TrackImage($"localhost/{dir.Id}:min");
        podman.Checked("load", "-i", dir["out/image.oci.tar"]);
        var minSize = long.Parse(podman.Checked("image", "inspect", "--format", "{{.Size}}", image).StdOut.Trim(), CultureInfo.InvariantCulture);
        // Both sizes are podman's own (`podman image inspect` .Size, uncompressed layers).
        log.WriteLine($"full image {full.SizeBytes:N0} bytes, minified {minSize:N0} bytes: {(double)full.SizeBytes / minSize:0.0}x smaller");
        Assert.True(full.SizeBytes >= 10 * minSize, $"full {full.SizeBytes} bytes is not 10x minified {minSize} bytes");

        var run = podman.Run("run", "--rm", image);
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal(full.Output, run.StdOut);
        Assert.Equal("", run.StdErr);

        var runc = Runc.Run(dir["out/bundle"], dir.Id);
        Assert.True(runc.Ok, runc.StdErr);
        Assert.Equal(full.Output, runc.StdOut);
    }

    [Fact]
    public void MinifyFromDockerArchiveAndOciArchiveWritesByteIdenticalImages()
    {
        full.Podman.Checked("save", "--format", "docker-archive", "-o", dir["full.docker.tar"], full.Image);
        full.Podman.Checked("save", "--format", "oci-archive", "-o", dir["full.oci.tar"], full.Image);
        log.WriteLine($"docker-archive {new FileInfo(dir["full.docker.tar"]).Length:N0} bytes, oci-archive {new FileInfo(dir["full.oci.tar"]).Length:N0} bytes");

        Minify(dir["full.docker.tar"], dir["from-docker"], "--", "python3", DebianFullImage.App);
        Minify(dir["full.oci.tar"], dir["from-oci"], "--", "python3", DebianFullImage.App);

        Assert.Equal(File.ReadAllText(dir["from-docker/spec"]), File.ReadAllText(dir["from-oci/spec"]));
        Assert.True(File.ReadAllBytes(dir["from-docker/image.oci.tar"]).AsSpan().SequenceEqual(File.ReadAllBytes(dir["from-oci/image.oci.tar"])),
            "the same image as docker-archive and as oci-archive minified to different bytes");
        var runc = Runc.Run(dir["from-docker/bundle"], dir.Id);
        Assert.True(runc.Ok, runc.StdErr);
        Assert.Equal(full.Output, runc.StdOut);
    }

    [Fact]
    public void MinifyFromARootfsDirectoryHonoursExerciseKeepAndDropAndLeavesTheDirectoryAlone()
    {
        var before = ScratchDir.Listing(full.BaseRootfs);
        // The base has no /opt/app.py: the program is given inline. csv only the exercise imports.
        var exercise = dir.Write("exercise", "# code paths the main command does not take\npython3 -c 'import csv'\n");
        var r = Minify(full.BaseRootfs, dir["out"],
            "--exercise", exercise,
            "--keep", "/usr/lib/python3.11/email/**",
            "--drop", "/usr/lib/python3.11/json/__pycache__/**",
            "--", "python3", "-c", "import json, sqlite3; print(json.dumps(sqlite3.connect(':memory:').execute('select 6*7').fetchone()))");
        Assert.Equal("[42]\n", r.StdOut);

        var rootfs = dir["out/bundle/rootfs"];
        Assert.True(File.Exists(rootfs + "/usr/lib/python3.11/csv.py"), "the exercise's import is not in the bundle");
        Assert.True(File.Exists(rootfs + "/usr/lib/python3.11/email/__init__.py"), "--keep did not keep email/");
        Assert.True(File.Exists(rootfs + "/usr/lib/python3.11/json/__init__.py"));
        Assert.False(Directory.Exists(rootfs + "/usr/lib/python3.11/json/__pycache__")
            && Directory.EnumerateFiles(rootfs + "/usr/lib/python3.11/json/__pycache__").Any(), "--drop left json/__pycache__ files");

        var runc = Runc.Run(dir["out/bundle"], dir.Id);
        Assert.True(runc.Ok, runc.StdErr);
        Assert.Equal("[42]\n", runc.StdOut);

        // Traced in an overlay: the source directory got no /proc or /dev mounted, no .pyc written.
        Assert.Equal(before, ScratchDir.Listing(full.BaseRootfs));
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(full.BaseRootfs, StringComparison.Ordinal));
    }

    [Fact]
    public void ProgramsListedInARulesFileBringTheirLibraries()
    {
        // gpgv is in the base (apt needs it) but nothing traced here loads it or libgcrypt, and the
        // rules file has no glob lines, so only closing over its listed paths brings the library.
        var rules = dir.Write("rules", "/usr/bin/gpgv\n");
        Minify(full.BaseRootfs, dir["out"], "--rules", rules, "--", "/bin/true");
        var rootfs = dir["out/bundle/rootfs"];
        Assert.True(File.Exists(rootfs + "/usr/bin/gpgv"), "the listed program is not in the bundle");
        var libs = Directory.EnumerateFiles(rootfs, "libgcrypt.so.20*",
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint });
        Assert.True(libs.Any(), "gpgv's libgcrypt is not in the bundle");
    }
}
