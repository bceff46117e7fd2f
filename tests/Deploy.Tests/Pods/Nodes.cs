using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Pods;

/// <summary>Pods decided for the distribution families of fixtures/pods/facts, for generator tests.</summary>
static class Nodes
{
    public static NodeFacts Facts(string name) => NodeFacts.Parse(PodFixtures.Text($"facts/{name}.txt"), name);

    public static PodManifest Manifest(string fixture) => PodManifestReader.Parse(PodFixtures.Text(fixture), Path.GetFileName(fixture));

    public static PodEntry Entry(string name, PodRuntime runtime = PodRuntime.Podman) => new()
    {
        Name = name, Manifest = $"/f/pods/{name}.yaml", ManifestAsWritten = $"pods/{name}.yaml", Groups = ["web"], Images = [],
        Health = new HealthSpec(new HttpProbe(8080, "/", 1), TimeSpan.FromSeconds(60)), Runtime = runtime,
    };

    /// <summary>The plan and layout of a pod on a node of the given facts.</summary>
    public static (PlatformPlan Plan, NodeLayout Layout) On(string facts, PodManifest manifest, NodeSettings? settings = null, PodRuntime runtime = PodRuntime.Podman)
    {
        var f = Facts(facts);
        var s = settings ?? new NodeSettings();
        return (PlatformDecisions.Decide(f, s, Entry(manifest.Name, runtime), manifest, "n1"), NodeLayout.For(f, s));
    }
}
