namespace Vz.Deploy.Tests;

static class Fixtures
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "vz.slnx")))
                dir = dir.Parent;
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("vz.slnx not found above the test binaries"), "fixtures", "deploy");
        }
    }

    public static string Path_(string name) => Path.Combine(Root, name);

    public static string Text(string name) => File.ReadAllText(Path_(name));

    /// <summary>The key blob of a committed .pub file.</summary>
    public static byte[] Key(string letter) => Convert.FromBase64String(Text($"key-{letter}.pub").Split(' ')[1]);
}
