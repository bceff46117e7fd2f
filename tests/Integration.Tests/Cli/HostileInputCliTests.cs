using System.Diagnostics;
using System.Text.Json.Nodes;
using Vz.Integration.Tests.Bundle;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Cli;

/// <summary>
/// Issue 8's reproductions, each run through the real vzbuild as a hostile user would: one line
/// with a VZ code (exit 1), never a stack trace or an internal error, nothing of the host packed,
/// nothing replaced or left behind.
/// </summary>
public sealed class HostileInputCliTests : IDisposable
{
    readonly ScratchDir dir = new("hostile");

    public void Dispose() => dir.Dispose();

    /// <summary>Exit 1, the code, and the error on one line plus at most a hint; no internal error.</summary>
    static void RefusedWith(ProcessResult r, string code)
    {
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}\nstderr: {r.StdErr}");
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = Assert.Single(lines, l => l.StartsWith("vzbuild: error ", StringComparison.Ordinal));
        Assert.StartsWith($"vzbuild: error {code}: ", error);
        Assert.DoesNotContain("internal error", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.All(lines, l => Assert.True(l.StartsWith("vzbuild: error", StringComparison.Ordinal) || l.StartsWith("  hint:", StringComparison.Ordinal)
            || l.StartsWith("warning:", StringComparison.Ordinal), $"unexpected stderr line: {l}"));
    }

    /// <summary>A busybox bundle made by vzbuild bundle, as a user would hand it on.</summary>
    string Bundle()
    {
        var spec = BundleRunTests.WriteSpec(dir, "bb.spec", ["/bin/busybox", "true"], ["/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["b"]);
        return dir["b"];
    }

    void EditConfig(string bundle, Action<JsonObject> edit)
    {
        var path = Path.Combine(bundle, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("../../../../../etc")]
    public void ImageOfABundleWhoseRootPathLeavesItPacksNothingOfTheHost(string root)
    {
        var bundle = Bundle();
        EditConfig(bundle, c => c["root"]!["path"] = root);

        var r = Vzbuild.Run("image", bundle, "-t", "localhost/hostile:1", "-o", dir["img.tar"]);

        RefusedWith(r, "VZ2026");
        Assert.Contains(root, r.StdErr);
        Assert.False(File.Exists(dir["img.tar"]));
    }

    [Fact]
    public void ImageOfABundleWhoseRootfsIsASymlinkOutPacksNothingOfTheHost()
    {
        var bundle = Bundle();
        Directory.Delete(Path.Combine(bundle, "rootfs"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(bundle, "rootfs"), "/etc");

        var r = Vzbuild.Run("image", bundle, "-t", "localhost/hostile:1", "-o", dir["img.tar"]);

        RefusedWith(r, "VZ2026");
        Assert.False(File.Exists(dir["img.tar"]));
    }

    [Theory]
    [InlineData("process", "null", "VZ2024")]
    [InlineData("root", "", "VZ2024")]
    [InlineData("ociVersion", "", "VZ2024")]
    [InlineData("process.args", "", "VZ2024")]
    [InlineData("process.args", "[]", "VZ2020")]
    [InlineData("process.cwd", "\"relative/dir\"", "VZ2020")]
    [InlineData("process.env", "[\"NOEQUALS\"]", "VZ2020")]
    public void ImageValidatesTheBundlesConfigAsBundleDoes(string member, string json, string code)
    {
        var bundle = Bundle();
        EditConfig(bundle, c =>
        {
            var (parent, name) = member.Split('.') is [var top, var sub] ? (c[top]!.AsObject(), sub) : (c, member);
            if (json.Length == 0)
                parent.Remove(name);
            else
                parent[name] = JsonNode.Parse(json);
        });

        RefusedWith(Vzbuild.Run("image", bundle, "-t", "localhost/hostile:1", "-o", dir["img.tar"]), code);
        Assert.False(File.Exists(dir["img.tar"]));
    }

    [Fact]
    public void ImageOfABundleWhoseConfigJsonIsADirectoryIsOneError()
    {
        Directory.CreateDirectory(dir["b/config.json"]);
        Directory.CreateDirectory(dir["b/rootfs"]);
        RefusedWith(Vzbuild.Run("image", dir["b"], "-t", "localhost/hostile:1", "-o", dir["img.tar"]), "VZ2024");
    }

    [Fact]
    public void SpecCheckOfDevZeroStopsAtTheLimitInsteadOfGrowingForEver()
    {
        var clock = Stopwatch.StartNew();
        var r = Vzbuild.Run("spec", "check", "/dev/zero");
        RefusedWith(r, "VZ1104");
        Assert.Contains("/dev/zero", r.StdErr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public void LddIntoADirectoryThatDoesNotExistIsOneError()
    {
        var r = Vzbuild.Run("ldd", "-o", dir["no/such/dir/bb.spec"], Tools.Require("busybox"));
        RefusedWith(r, "VZ1102");
        Assert.Contains(dir["no/such/dir/bb.spec"], r.StdErr);
        Assert.Contains("does not exist", r.StdErr);
    }

    [Fact]
    public void ADirectoryWhereASpecBelongsIsOneErrorForEveryCommand()
    {
        var d = Directory.CreateDirectory(dir["a-dir"]).FullName;
        RefusedWith(Vzbuild.Run("spec", "check", d), "VZ1104");
        RefusedWith(Vzbuild.Run("bundle", d, "-o", dir["out"]), "VZ1104");
        RefusedWith(Vzbuild.Run("minify", "--from", d, "--rules", d, "-o", dir["min"], "--", "/bin/true"), "VZ1104");
        RefusedWith(Vzbuild.Run("trace", "--rules", d, "-o", dir["t.spec"], "--", "/bin/true"), "VZ1104");
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public void LddOfADirectoryATextFileOrACutShortElfIsOneError()
    {
        RefusedWith(Vzbuild.Run("ldd", "/tmp"), "VZ1203");
        var text = dir.Write("notes", "just text\n");
        File.SetUnixFileMode(text, (UnixFileMode)0b111_101_101);
        RefusedWith(Vzbuild.Run("ldd", text), "VZ1203");
        var cut = dir["cut"];
        File.WriteAllBytes(cut, File.ReadAllBytes("/bin/ls")[..3000]);
        RefusedWith(Vzbuild.Run("ldd", cut), "VZ1203");
    }

    [Fact]
    public void BundleWarnsAboutAMissingEntryAndRefusesItWithStrict()
    {
        var spec = BundleRunTests.WriteSpec(dir, "m.spec", ["/bin/busybox", "true"], ["/bin/busybox", "/does/not/exist"]);

        var strict = Vzbuild.Run("bundle", spec, "--no-closure", "--strict", "-o", dir["strict"]);
        RefusedWith(strict, "VZ2003");
        Assert.Contains("/does/not/exist", strict.StdErr);
        Assert.False(Directory.Exists(dir["strict"]));

        var lenient = Vzbuild.Run("bundle", spec, "--no-closure", "-o", dir["lenient"]);
        Assert.True(lenient.Ok, lenient.StdErr);
        Assert.Contains("warning: /does/not/exist: listed in", lenient.StdErr);
    }

    [Theory]
    [InlineData("/usr/../data/file.txt")]
    [InlineData("/./bin/busybox")]
    public void BundleRefusesPathsWithDotOrDotDotParts(string path)
    {
        var spec = BundleRunTests.WriteSpec(dir, "d.spec", ["/bin/busybox", "true"], ["/bin/busybox", path]);
        var r = Vzbuild.Run("bundle", spec, "--no-closure", "-o", dir["out"]);
        RefusedWith(r, "VZ2001");
        Assert.Contains(path, r.StdErr);
    }

    [Fact]
    public void BundleForceWithAPackThatCannotBeWrittenLeavesTheOldBundleAsItWas()
    {
        var bundle = Bundle();
        var config = File.ReadAllBytes(Path.Combine(bundle, "config.json"));
        var configTime = File.GetLastWriteTimeUtc(Path.Combine(bundle, "config.json"));
        var listing = ScratchDir.Listing(bundle);
        var spec = BundleRunTests.WriteSpec(dir, "other.spec", ["/bin/busybox", "echo", "new"], ["/bin/busybox"]);

        var r = Vzbuild.Run("bundle", spec, "--no-closure", "--force", "-o", bundle, "--pack", "/proc/nope.tar.zst");

        RefusedWith(r, "VZ2013");
        Assert.Equal(config, File.ReadAllBytes(Path.Combine(bundle, "config.json")));
        Assert.Equal(configTime, File.GetLastWriteTimeUtc(Path.Combine(bundle, "config.json")));
        Assert.Equal(listing, ScratchDir.Listing(bundle));
    }

    [Fact]
    public void MinifyWithOutputNamingTheInputArchiveIsOneErrorAndTheArchiveIsKept()
    {
        var archive = dir.Write("in.tar", "an archive the user keeps");
        var r = Vzbuild.Run("minify", "--from", archive, "-o", archive, "--", "/bin/true");
        RefusedWith(r, "VZ2340");
        Assert.Equal("an archive the user keeps", File.ReadAllText(archive));
    }

    [Fact]
    public void TraceIntoADirectoryIsOneErrorAndLeavesNoTemporaryFile()
    {
        var outDir = Directory.CreateDirectory(dir["spec-dir"]).FullName;
        RefusedWith(Vzbuild.Run("trace", "-o", outDir, "--", "/bin/true"), "VZ1012");
        Assert.False(File.Exists(outDir + ".tmp"));
        Assert.Empty(Directory.GetFileSystemEntries(outDir));
    }

    [Fact]
    public void TracingAFileThatCannotRunIsVZ1011BeforeStraceStarts()
    {
        var script = dir.Write("not-executable.sh", "#!/bin/sh\necho hi\n");
        var r = Vzbuild.Run("trace", "-o", dir["t.spec"], "--", script);
        RefusedWith(r, "VZ1011");
        Assert.DoesNotContain("Permission denied", r.StdErr);
        Assert.False(File.Exists(dir["t.spec"]));
    }

    [Fact]
    public void TraceRunsTheProgramWithItsArgumentsAndEnvironmentByteForByte()
    {
        // The test's own runner would re-encode a non-UTF-8 argument, so a shell builds it:
        // printf '\377' is the byte 0xFF, in the argument and in a variable.
        var dll = Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");
        var script = "arg=\"A$(printf '\\377')B\"; VZ_RAW=\"$(printf '\\376')\"; export VZ_RAW; exec dotnet \"$0\" trace -o \"$1\" -- /bin/sh -c "
            + "'printf %s \"$1\" > \"$2\"; printf %s \"$VZ_RAW\" > \"$3\"' sh \"$arg\" \"$2\" \"$3\"";
        var r = ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", script, dll, dir["t.spec"], dir["arg"], dir["env"]]) { Timeout = TimeSpan.FromMinutes(2) });

        Assert.True(r.Ok, r.StdErr);
        Assert.Equal(new byte[] { (byte)'A', 0xFF, (byte)'B' }, File.ReadAllBytes(dir["arg"]));
        Assert.Equal(new byte[] { 0xFE }, File.ReadAllBytes(dir["env"]));
        Assert.Contains("is not UTF-8", r.StdErr);
    }

    [Fact]
    public void AnErrorQuotingASpecLineWithEscapeSequencesPrintsThemEscaped()
    {
        var spec = dir.Write("evil.spec", "/bin/sh\n\u001b]0;owned\u0007\u001b[2Jnot-a-path\n");
        var r = Vzbuild.Run("spec", "check", spec);
        RefusedWith(r, "VZ1100");
        Assert.DoesNotContain('\u001b', r.StdErr);
        Assert.DoesNotContain('\u0007', r.StdErr);
        Assert.Contains("\\u{001B}]0;owned\\u{0007}", r.StdErr);
    }

    [Fact]
    public void PushOptionsOutOfRangeAreRefusedBeforeAnyNodeIsTried()
    {
        foreach (var (option, value) in new[] { ("--parallel", "0"), ("--parallel", "-1"), ("--retries", "-1"), ("--retries", "1000000") })
        {
            var r = Vzbuild.Run("push", dir["none.tar"], "--to", "node-a", option, value);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{option} must be from", r.StdErr);
        }
    }
}
