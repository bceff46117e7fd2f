namespace Vz.Integration.Tests.Cli;

/// <summary>The repository root (tests/Support's <see cref="Vz.Tests.RepoRoot"/>), under the name these tests use.</summary>
public static class RepoRoot
{
    public static string Path => Vz.Tests.RepoRoot.Path;
}
