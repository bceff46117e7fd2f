using Vz.Deploy.Fleet;

namespace Vz.Deploy.Tests.Fleet;

/// <summary>
/// A copy of fixtures/pods in a temporary directory, with the image archives a build would
/// have made (empty files: validation checks only that they exist), removed on Dispose.
/// </summary>
sealed class TempFleet : IDisposable
{
    public TempFleet(params string[] archives)
    {
        Root = Directory.CreateTempSubdirectory("vz-fleet-test-").FullName;
        foreach (var file in Directory.GetFiles(Tests.Pods.PodFixtures.Root, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(Root, Path.GetRelativePath(Tests.Pods.PodFixtures.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        foreach (var a in archives)
        {
            var path = Path.Combine(Root, a);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, []);
        }
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public FleetFile Parse(string relative) =>
        FleetFileReader.Parse(File.ReadAllText(PathOf(relative)), PathOf(relative), "/home/operator");

    public DesiredFleet Load(string relative, IReadOnlyDictionary<string, string>? env = null) =>
        FleetValidator.Validate(Parse(relative), new Sources(env ?? new Dictionary<string, string> { ["VZ_TEST_DB_USER"] = "app" }));

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>The real files, with an environment of the test's choosing.</summary>
    sealed class Sources(IReadOnlyDictionary<string, string> env) : IFleetSources
    {
        public string? ReadText(string path) => LocalFleetSources.Instance.ReadText(path);
        public bool Exists(string path) => LocalFleetSources.Instance.Exists(path);
        public string? Environment(string name) => env.GetValueOrDefault(name);
    }
}
