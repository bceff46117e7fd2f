using System.Text.Json.Nodes;
using Vz.Bundle;
using Vz.Bundle.Fs;
using Vz.Bundle.Minify;
using Vz.Bundle.Tar;
using Vz.Cli.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Layout;
using Vz.Deploy.Playbook;
using Vz.Deploy.Provision;
using Vz.Deploy.View;
using Vz.Oci;
using Vz.Trace;
using Vz.Trace.Spec;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>
/// Each --json document the CLI writes, from a library result, has the shape the README's "JSON
/// output" documents: the same keys at every level, values of the same kinds. (push and node check
/// go through their commands in PushCommandTests and NodeCommandTests; image and the build chain
/// through the real vzbuild in Integration.Tests/Cli.)
/// </summary>
public class JsonOutputTests
{
    internal static void ShapedAsDocumented(string heading, string json)
    {
        var printed = JsonNode.Parse(json);
        var differences = ReadmeJson.Differences(ReadmeJson.Example(heading), printed);
        Assert.True(differences.Count == 0, $"{heading}:\n{string.Join("\n", differences)}\nprinted:\n{json}");
    }

    [Fact]
    public void TraceSaysTheSpecItsPathsAndBothExitCodes()
    {
        var json = BuildJson.Trace(new SpecTraceResult(1, Spec.FromPaths(["/bin/sh", "/lib/ld.so"]), 1), "out/app.spec", ExitCodes.TracedCommandFailed);
        ShapedAsDocumented("vzbuild trace --json", json);
        var doc = JsonNode.Parse(json)!;
        Assert.Equal((3, 1, 2), ((int)doc["exitCode"]!, (int)doc["programExitCode"]!, (int)doc["paths"]!));
        Assert.Equal(Path.GetFullPath("out/app.spec"), (string?)doc["spec"]);
    }

    [Fact]
    public void MinifySaysWhatItWroteTheDigestAndBothSizes()
    {
        var json = BuildJson.Minify(new MinifyResult(0, "app.min/spec", "app.min/bundle", "app.min/image.oci.tar", 290212939, 13417148, 1630),
            ImageReference.Parse("localhost/app-min:latest"), "sha256:5c1d", ExitCodes.Ok);
        ShapedAsDocumented("vzbuild minify --json", json);
        Assert.Equal("localhost/app-min:latest", (string?)JsonNode.Parse(json)!["name"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BundleSaysItsCountsAndThePackOrNull(bool packed)
    {
        var rootfs = new RootfsResult("b/rootfs", 3, 2, 1, 0, 4096, ["/etc/x: not in the root, left out"]);
        // The runtime config is not part of the summary.
        var result = new SpecBundleResult(new BundleResult("b", "b/config.json", rootfs, null!), packed ? "b.tar.zst" : null, packed ? Compression.Zstd : null);
        var json = BuildJson.Bundle(result, packed ? 1234 : null);
        ShapedAsDocumented("vzbuild bundle --json", json);
        var pack = JsonNode.Parse(json)!["pack"];
        Assert.Equal(packed ? "zstd" : null, (string?)pack?["compression"]);
    }

    [Fact]
    public void SpecCheckListsMissingPathsWithTheirLinesAndEmptyGlobs()
    {
        var result = new SpecCheckResult([new MissingPath("/usr/lib/libgone.so.1", 12)], [new SpecRule(false, "/usr/share/doc/**", 40)]);
        var json = BuildJson.SpecCheck(result, "perl.spec", "/", ExitCodes.CheckFailed);
        ShapedAsDocumented("vzbuild spec check --json", json);
        var doc = JsonNode.Parse(json)!;
        Assert.False((bool)doc["ok"]!);
        Assert.Equal("- /usr/share/doc/**", (string?)doc["emptyGlobs"]![0]!["rule"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LockReleaseSaysWhoseLockItWasOrNull(bool held)
    {
        var owner = new LockOwner("t0k3n", "alice@laptop", DateTimeOffset.Parse("2025-01-02T03:04:05Z"), "deploy web");
        var json = FleetJson.LockRelease(new LockReleased("web1", held, held ? owner : null));
        ShapedAsDocumented("vzbuild lock release --json", json);
        Assert.Equal(held ? "2025-01-02T03:04:05Z" : null, (string?)JsonNode.Parse(json)!["holder"]?["since"]);
        Assert.DoesNotContain("t0k3n", json);
    }

    [Fact]
    public void NodeAddSaysWhatItChangedAndTheInventoryLine()
    {
        var result = new NodeAddResult("203.0.113.7", new NodeOs(Distro.Debian, 12, "12", "Debian GNU/Linux 12 (bookworm)"), "ops", "root (password)",
            ["install podman", "create user ops"], [], "ssh-ed25519 SHA256:abc", new InventoryChange("[web]\n203.0.113.7 ansible_user=ops\n", true, "added 203.0.113.7 ansible_user=ops to [web]"));
        var json = FleetJson.NodeAdd(result, "hosts.ini");
        ShapedAsDocumented("vzbuild node add --json", json);
        Assert.True((bool)JsonNode.Parse(json)!["nodeChanged"]!);
    }

    [Theory]
    [InlineData(3, "stderr")]
    [InlineData(6, "stdout")]
    public void ALogEntryIsOneJsonLineNamingItsStream(int priority, string stream)
    {
        var entry = new JournalEntry(DateTimeOffset.Parse("2025-11-30T21:07:08.847123Z"), "c1", "web-app", "line one\nline two") { Priority = priority };
        var line = FleetJson.LogLine("n1", entry);
        Assert.DoesNotContain('\n', line);
        ShapedAsDocumented("vzbuild logs POD --json", line);
        var doc = JsonNode.Parse(line)!;
        Assert.Equal((stream, "2025-11-30T21:07:08.847123Z", "line one\nline two"), ((string?)doc["stream"], (string?)doc["time"], (string?)doc["message"]));
    }

    [Fact]
    public void ADownloadSaysPerNodeTheFileTheLinesAndTheCursor()
    {
        var report = new DownloadReport(
        [
            new DownloadedNode("n1", TimeSpan.FromSeconds(0.8)) { Lines = 212, Bytes = 30411, State = CursorState.Lost },
            new DownloadedNode("n2", TimeSpan.FromSeconds(3)) { Error = "cannot reach 10.0.0.2:22 (VZ3013)", Unreachable = true },
        ]);
        var json = FleetJson.Download(report, "logs", ExitCodes.PartialFailure);
        ShapedAsDocumented("vzbuild logs --download DIR --json", json);
        var nodes = JsonNode.Parse(json)!["nodes"]!;
        Assert.Equal(("lost", null), ((string?)nodes[0]!["cursor"], (string?)nodes[1]!["cursor"]));
    }

    [Fact]
    public void PlaybookSaysWhatItWrote()
    {
        var json = FleetJson.Playbook("/srv/fleet", "/srv/fleet/hosts.ini", new PlaybookWriter.Written(21, ["/srv/fleet/images/web-2.oci.tar.gz"], []));
        ShapedAsDocumented("vzbuild playbook --json", json);
        Assert.Equal("/srv/fleet/roles/vz_pod", (string?)JsonNode.Parse(json)!["role"]);
    }

    [Fact]
    public void TheExitCodeGoesFirstInALibrarysDocument()
    {
        var json = CliJson.WithExitCode("{\"image\":\"a\",\"nodes\":[{\"node\":\"n1\"}]}", ExitCodes.AllFailed);
        Assert.Equal(["exitCode", "image", "nodes"], JsonNode.Parse(json)!.AsObject().Select(p => p.Key));
        Assert.Equal(5, (int)JsonNode.Parse(json)!["exitCode"]!);
    }

    [Fact]
    public void TheShapeComparisonCatchesAMissingKeyAnExtraKeyAndAnotherKind()
    {
        var documented = JsonNode.Parse("""{ "a": 1, "b": { "c": "x" }, "d": [{ "e": true }], "f": null }""");
        Assert.Empty(ReadmeJson.Differences(documented, JsonNode.Parse("""{ "a": 2, "b": { "c": null }, "d": [], "f": "any" }""")));
        string[] expected = ["$.a: documented, not printed", "$.b.c: documented String, printed Number", "$.d[0].e: documented, not printed", "$.d[0].g: printed, not documented"];
        Assert.Equal(expected, ReadmeJson.Differences(documented, JsonNode.Parse("""{ "b": { "c": 3 }, "d": [{ "g": 1 }], "f": null }""")).Order(StringComparer.Ordinal));
    }
}
