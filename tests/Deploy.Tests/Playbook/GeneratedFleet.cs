using Vz.Deploy.Apply;
using Vz.Deploy.Fleet;
using Vz.Deploy.Playbook;
using Vz.Deploy.Ssh;
using Vz.Deploy.Tests.Fleet;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>
/// The playbook of fixtures/pods/fleet/vz.yaml (every fleet key: two pods, secrets from a file and
/// the environment, rollout), generated from a temporary copy with image facts the test makes up
/// (the generator never opens an archive: the caller hashes them).
/// </summary>
sealed class GeneratedFleet : IDisposable
{
    public static readonly string[] Archives = ["fleet/build/web.oci.tar", "fleet/build/api.oci.tar", "fleet/build/api-metrics.oci.tar"];

    readonly TempFleet fleet = new(Archives);

    public GeneratedFleet(string fleetFile = "fleet/vz.yaml")
    {
        Fleet = FleetLoader.Load(fleet.PathOf(fleetFile), null, null, new SshOptions { ConfigFile = "/dev/null" }, new Sources());
        Images = Fleet.File.Pods.SelectMany(p => p.Images).ToDictionary(i => i.Archive, i => Fake(i.Image, i.Archive), StringComparer.Ordinal);
        Playbook = PlaybookGenerator.Generate(Fleet, Images);
    }

    public LoadedFleet Fleet { get; }
    public IReadOnlyDictionary<string, PlaybookImage> Images { get; }
    public GeneratedPlaybook Playbook { get; }
    public string Root => fleet.Root;

    /// <summary>A template of the role (path under roles/vz_pod/templates/).</summary>
    public string Template(string path) => Playbook.Text($"{PlaybookGenerator.Templates}/{path}");

    public bool Has(string path) => Playbook.Files.Any(f => f.Path == $"{PlaybookGenerator.Templates}/{path}");

    static PlaybookImage Fake(string image, string archive) =>
        new(image, archive, DesiredStateSha(image + " archive"), 4096, DesiredStateSha(image + " config"));

    static string DesiredStateSha(string s) => Vz.Deploy.Rollout.DesiredState.Sha256(s);

    public void Dispose() => fleet.Dispose();

    /// <summary>The fixture's files, with VZ_TEST_DB_USER set as the fleet file's secret wants.</summary>
    sealed class Sources : IFleetSources
    {
        public string? ReadText(string path) => LocalFleetSources.Instance.ReadText(path);
        public bool Exists(string path) => LocalFleetSources.Instance.Exists(path);
        public string? Environment(string name) => name == "VZ_TEST_DB_USER" ? "app" : null;
    }
}
