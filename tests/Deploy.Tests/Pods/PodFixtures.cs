namespace Vz.Deploy.Tests.Pods;

/// <summary>fixtures/pods: committed manifests, fleet files and golden units, named for what they show.</summary>
static class PodFixtures
{
    public static string Root => Path.Combine(Path.GetDirectoryName(Fixtures.Root)!, "pods");

    public static string PathOf(string name) => Path.Combine(Root, name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));
}
