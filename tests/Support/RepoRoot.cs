namespace Vz.Tests;

/// <summary>The repository root, found by walking up from the test binaries to vz.slnx.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    /// <summary>A path below the root, given as parts ("src", "Oci", "README.md").</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "vz.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("vz.slnx not found above " + AppContext.BaseDirectory);
    }
}
