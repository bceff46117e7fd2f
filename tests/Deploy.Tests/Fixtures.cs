namespace Vz.Deploy.Tests;

static class Fixtures
{
    public static string Root => Vz.Tests.RepoRoot.Combine("fixtures", "deploy");

    public static string Path_(string name) => Path.Combine(Root, name);

    public static string Text(string name) => File.ReadAllText(Path_(name));

    /// <summary>The key blob of a committed .pub file.</summary>
    public static byte[] Key(string letter) => Convert.FromBase64String(Text($"key-{letter}.pub").Split(' ')[1]);
}
