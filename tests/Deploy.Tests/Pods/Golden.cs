namespace Vz.Deploy.Tests.Pods;

/// <summary>
/// Compares generated text with fixtures/pods/golden/NAME byte for byte. Regenerate on purpose:
/// VZ_REGENERATE_FIXTURES=1 dotnet test tests/Deploy.Tests --filter Golden
/// </summary>
static class Golden
{
    public static void Match(string name, string actual)
    {
        var path = PodFixtures.PathOf($"golden/{name}");
        if (Environment.GetEnvironmentVariable("VZ_REGENERATE_FIXTURES") == "1")
            File.WriteAllText(path, actual);
        Assert.True(File.Exists(path), $"missing golden file {path} (VZ_REGENERATE_FIXTURES=1 writes it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
