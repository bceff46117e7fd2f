using Vz.Deploy.Playbook;
using Vz.Deploy.Tests.Pods;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>
/// The playbook generated for fixtures/pods/fleet/vz.yaml, file by file, against fixtures/playbook/fleet/
/// (the fixture's temporary directory written as /FLEET). Regenerate on purpose:
/// VZ_REGENERATE_FIXTURES=1 dotnet test tests/Deploy.Tests --filter Playbook.GoldenTests
/// </summary>
public sealed class GoldenTests : IDisposable
{
    readonly GeneratedFleet fleet = new();

    static string GoldenRoot => Path.Combine(Path.GetDirectoryName(PodFixtures.Root)!, "playbook", "fleet");

    public void Dispose() => fleet.Dispose();

    IReadOnlyDictionary<string, string> Generated() =>
        fleet.Playbook.Files.ToDictionary(f => f.Path, f => f.Text.Replace(fleet.Root, "/FLEET"), StringComparer.Ordinal);

    [Fact]
    public void EveryGeneratedFileMatchesItsGoldenCopyAndNoGoldenFileIsLeftOver()
    {
        var generated = Generated();
        if (Environment.GetEnvironmentVariable("VZ_REGENERATE_FIXTURES") == "1")
        {
            if (Directory.Exists(GoldenRoot))
                Directory.Delete(GoldenRoot, recursive: true);
            foreach (var (path, text) in generated)
            {
                var to = Path.Combine(GoldenRoot, path);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.WriteAllText(to, text);
            }
        }
        var golden = Directory.GetFiles(GoldenRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(GoldenRoot, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(golden, generated.Keys.Order(StringComparer.Ordinal).ToList());
        foreach (var path in golden)
            Assert.True(File.ReadAllText(Path.Combine(GoldenRoot, path)) == generated[path], $"{path} differs from fixtures/playbook/fleet/{path} (VZ_REGENERATE_FIXTURES=1 rewrites it)");
    }

    [Fact]
    public void GeneratingTwiceGivesTheSameBytes()
    {
        using var again = new GeneratedFleet();
        Assert.Equal(fleet.Playbook.Files.Select(f => (f.Path, f.Text.Replace(fleet.Root, "/FLEET"))),
            again.Playbook.Files.Select(f => (f.Path, f.Text.Replace(again.Root, "/FLEET"))));
    }

    [Fact]
    public void ThePlayRunsTheCanaryAloneThenBatchesOfTheFleetFilesSizeAndStopsAtTheFirstFailure()
    {
        // fixtures/pods/fleet/vz.yaml: rollout canary 1, batch 2; groups web and api.
        var play = fleet.Playbook.Text("deploy.yaml");
        Assert.Contains("  hosts: \"web:api\"\n  serial:\n    - 1\n    - 2\n  max_fail_percentage: 0\n", play);
        Assert.Contains("    - role: \"vz_pod\"\n", play);
    }
}
