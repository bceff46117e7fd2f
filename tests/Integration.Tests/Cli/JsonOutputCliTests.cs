using System.Text.Json.Nodes;
using Vz.Integration.Tests.Infra;
using Vz.Tests;

namespace Vz.Integration.Tests.Cli;

/// <summary>
/// The build commands' --json through the real vzbuild, on busybox: each document has the README's
/// shape ("JSON output") and says what is really on disk.
/// </summary>
public sealed class JsonOutputCliTests : IDisposable
{
    readonly ScratchDir dir = new("json");

    public void Dispose() => dir.Dispose();

    static JsonNode Shaped(string heading, string json)
    {
        var differences = ReadmeJson.Differences(ReadmeJson.Example(heading), JsonNode.Parse(json));
        Assert.True(differences.Count == 0, $"{heading}:\n{string.Join("\n", differences)}\nprinted:\n{json}");
        return JsonNode.Parse(json)!;
    }

    [Fact]
    public void SpecCheckBundleAndImageDescribeWhatTheyWrote()
    {
        var busybox = Tools.Require("busybox");
        Vzbuild.Checked("ldd", "-o", dir["bb.spec"], busybox);
        File.AppendAllText(dir["bb.spec"], "- /no/such/dir/**\n");

        var check = Vzbuild.Run("spec", "check", dir["bb.spec"], "--json");
        var found = Shaped("vzbuild spec check --json", check.StdOut);
        Assert.Equal((6, 6, false), (check.ExitCode, (int)found["exitCode"]!, (bool)found["ok"]!));
        Assert.Equal("- /no/such/dir/**", (string?)found["emptyGlobs"]![0]!["rule"]);

        var bundle = Shaped("vzbuild bundle --json", Vzbuild.Checked("bundle", dir["bb.spec"], "-o", dir["bb.bundle"], "--pack", "--json").StdOut);
        Assert.Equal(dir["bb.bundle"], (string?)bundle["bundle"]);
        Assert.True((int)bundle["rootfs"]!["files"]! >= 1);
        Assert.Equal(new FileInfo((string)bundle["pack"]!["file"]!).Length, (long)bundle["pack"]!["bytes"]!);

        var image = Shaped("vzbuild image --json", Vzbuild.Checked("image", dir["bb.bundle"], "-t", "localhost/vz-json:1", "-o", dir["bb.oci.tar"], "--json").StdOut);
        Assert.Equal(new FileInfo(dir["bb.oci.tar"]).Length, (long)image["bytes"]!);
        // The same digest the plain command prints alone.
        var plain = Vzbuild.Checked("image", dir["bb.bundle"], "-t", "localhost/vz-json:1", "-o", dir["again.oci.tar"]).StdOut.Trim();
        Assert.Equal(plain, (string?)image["digest"]);
    }

    [Theory]
    [InlineData(1, "spec check {dir}/no.spec --json")]
    [InlineData(1, "bundle {dir}/no.spec -o {dir}/out --json")]
    [InlineData(1, "ps -c {dir}/no.yaml --json")]
    [InlineData(1, "lock release web1 -c {dir}/no.yaml --json")]
    [InlineData(2, "ps --json --parallel 0")]
    [InlineData(2, "bundle --json")]
    public void AnErrorPrintsNothingOnStdoutForAScriptToMisread(int exit, string line)
    {
        var r = Vzbuild.Run(line.Replace("{dir}", dir.Path, StringComparison.Ordinal).Split(' '));
        Assert.True(r.ExitCode == exit, $"exit {r.ExitCode}\nstderr: {r.StdErr}");
        Assert.Equal("", r.StdOut);
        Assert.StartsWith("vzbuild: ", r.StdErr);
    }

    [Fact]
    public void TraceWritesItsSummaryToTheFileNamedAfterTheProgramsOwnOutput()
    {
        Tools.Require("strace");
        var r = Vzbuild.Run("trace", "-o", dir["echo.spec"], "--json", dir["trace.json"], "--", Tools.Require("busybox"), "echo", "from the program");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal("from the program\n", r.StdOut);
        var doc = Shaped("vzbuild trace --json", File.ReadAllText(dir["trace.json"]));
        Assert.Equal(dir["echo.spec"], (string?)doc["spec"]);
    }

    [Fact]
    public void MinifyToStdoutPrintsTheDocumentAfterTheProgramsOutput()
    {
        Directory.CreateDirectory(dir["root/bin"]);
        File.Copy(Tools.Require("busybox"), dir["root/bin/busybox"]);

        var r = Vzbuild.RunIn(dir.Path, null, "minify", "--from", dir["root"], "-o", dir["out"], "--json", "-", "--", "/bin/busybox", "echo", "hi");

        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.StartsWith("hi\n{", r.StdOut);
        var doc = Shaped("vzbuild minify --json", r.StdOut["hi\n".Length..]);
        Assert.Equal(new FileInfo(dir["out/image.oci.tar"]).Length, (long)doc["imageBytes"]!);
        Assert.StartsWith("sha256:", (string?)doc["digest"]);
    }

    [Fact]
    public void AJsonFileThatCannotBeWrittenIsRefusedBeforeAnythingIsTraced()
    {
        var r = Vzbuild.Run("trace", "-o", dir["x.spec"], "--json", dir["no/such/dir/trace.json"], "--", "/bin/true");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("vzbuild: error VZ1012: ", r.StdErr);
        Assert.False(File.Exists(dir["x.spec"]));
    }
}
