using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Fleet;

/// <summary>
/// Checks a fleet file against what it names, before any node is touched: every manifest reads
/// and validates, names the pod it is listed as, has an archive for each image (and no archive
/// for an image it does not use), the archives, inventory and secret sources exist, each secret a
/// manifest uses is declared with the key it asks for, and each health check targets a port the
/// pod publishes. All problems come back together, each naming its file and line.
/// </summary>
public static class FleetValidator
{
    public static DesiredFleet Validate(FleetFile fleet, IFleetSources sources)
    {
        var fleetName = Path.GetFileName(fleet.Path);
        var problems = new Problems(fleetName);
        if (!sources.Exists(fleet.Inventory))
            problems.Add(PodErrors.FileMissing, fleet.InventoryLine, "inventory", $"{Relative(fleet, fleet.Inventory)} does not exist");

        var manifests = new Dictionary<string, PodManifest>(StringComparer.Ordinal);
        foreach (var (pod, i) in fleet.Pods.Select((p, i) => (p, i)))
        {
            var at = $"pods[{i}]";
            var text = sources.ReadText(pod.Manifest);
            if (text is null)
            {
                problems.Add(PodErrors.FileMissing, pod.ManifestLine, $"{at}.manifest", $"{pod.ManifestAsWritten} does not exist");
                continue;
            }
            PodManifest manifest;
            try
            {
                manifest = PodManifestReader.Parse(text, pod.ManifestAsWritten);
            }
            catch (InvalidInputException e)
            {
                problems.AddAll(e.Problems);
                continue;
            }
            manifests[pod.Name] = manifest;
            CheckPod(fleet, pod, at, manifest, sources, problems);
        }
        CheckSecrets(fleet, sources, problems);
        problems.ThrowIfAny();
        var notes = fleet.Secrets.SelectMany(s => s.Keys.Select(k => (s, k)))
            .Where(x => x.k.Source is FileSecret f && FleetPaths.IsUnder(fleet.Directory, f.Path))
            .Select(x => $"{fleetName}:{x.k.Line}: secrets.{x.s.Name}.{x.k.Key}: {((FileSecret)x.k.Source).AsWritten} lies inside the fleet file's directory: keep it out of the repository (.gitignore)")
            .ToList();
        return new DesiredFleet(fleet, manifests) { Notes = notes };
    }

    static void CheckPod(FleetFile fleet, PodEntry pod, string at, PodManifest manifest, IFleetSources sources, Problems problems)
    {
        if (manifest.Name != pod.Name)
            problems.Add(PodErrors.FleetBadValue, pod.Line, $"{at}.name",
                $"'{pod.Name}' but {pod.ManifestAsWritten} names the pod '{manifest.Name}' (metadata.name): one name for both");

        var archives = pod.Images.ToDictionary(i => i.Image, StringComparer.Ordinal);
        foreach (var c in manifest.Containers.Where(c => !archives.ContainsKey(c.Image)).DistinctBy(c => c.Image))
            problems.Add(PodErrors.ImageWithoutArchive, pod.ImagesLine, $"{at}.images",
                $"no archive for {c.Image} (named by {pod.ManifestAsWritten}:{c.ImageLine}): add '{c.Image}: PATH.oci.tar'");
        foreach (var img in pod.Images)
        {
            if (!manifest.Images.Contains(img.Image))
                problems.Add(PodErrors.ImageWithoutArchive, img.Line, $"{at}.images.{img.Image}",
                    $"{pod.ManifestAsWritten} names no container with this image (it names {string.Join(", ", manifest.Images)})");
            else if (!sources.Exists(img.Archive))
                problems.Add(PodErrors.FileMissing, img.Line, $"{at}.images.{img.Image}", $"archive {Relative(fleet, img.Archive)} does not exist (build it with vzbuild image)");
        }

        if (pod.Health.Probe is { } probe)
        {
            var published = manifest.Ports.Where(p => p.Protocol == PortProtocol.Tcp && p.HostPort == probe.Port).ToList();
            if (published.Count == 0)
                problems.Add(PodErrors.FleetBadValue, probe.Line, $"{at}.health.{(probe is HttpProbe ? "http" : "tcp")}.port",
                    $"{probe.Port} is not a TCP host port of {pod.ManifestAsWritten} (it publishes {PortList(manifest)}): the check runs from the node against a published port");
        }

        foreach (var c in manifest.Containers)
            foreach (var e in c.Env.Where(e => e.Secret is not null))
                CheckSecretRef(fleet, pod, e.Secret!.Name, e.Secret.Key, e.Secret.Line, problems,
                    pod.Runtime == PodRuntime.Runc ? "a runc pod's environment is written into its config.json on the node: use a secret volume" : null);
        foreach (var v in manifest.Volumes.Where(v => v.Source is SecretVolume))
            CheckSecretRef(fleet, pod, ((SecretVolume)v.Source).SecretName, null, v.Line, problems, null);

        if (pod.Runtime == PodRuntime.Runc && manifest.Containers.Count != 1)
            problems.Add(PodErrors.FleetBadValue, pod.Line, $"{at}.runtime",
                $"runc runs one container per pod; {pod.ManifestAsWritten} has {manifest.Containers.Count}");
        if (pod.Runtime == PodRuntime.Runc)
            Runc.RuncRules.Check(pod, manifest, problems);
    }

    static void CheckSecretRef(FleetFile fleet, PodEntry pod, string name, string? key, int line, Problems problems, string? refused)
    {
        var file = pod.ManifestAsWritten;
        var decl = fleet.Secret(name);
        if (refused is not null)
            problems.AddIn(file, PodErrors.BadSecretRef, line, $"secret {name}", refused);
        else if (decl is null)
            problems.AddIn(file, PodErrors.BadSecretRef, line, $"secret {name}",
                $"{file} uses secret '{name}', which the fleet file's secrets: does not declare" +
                (fleet.Secrets.Count > 0 ? $" (it declares {string.Join(", ", fleet.Secrets.Select(s => s.Name))})" : ""));
        else if (key is not null && decl.Key(key) is null)
            problems.AddIn(file, PodErrors.BadSecretRef, line, $"secret {name}",
                $"{file} asks for key '{key}', which secret '{name}' does not have (it has {string.Join(", ", decl.Keys.Select(k => k.Key))})");
    }

    static void CheckSecrets(FleetFile fleet, IFleetSources sources, Problems problems)
    {
        foreach (var s in fleet.Secrets)
            foreach (var k in s.Keys)
                switch (k.Source)
                {
                    case FileSecret f when !sources.Exists(f.Path):
                        problems.Add(PodErrors.SecretUnavailable, k.Line, $"secrets.{s.Name}.{k.Key}.file", $"{f.AsWritten} does not exist");
                        break;
                    case EnvSecret e when string.IsNullOrEmpty(sources.Environment(e.Variable)):
                        problems.Add(PodErrors.SecretUnavailable, k.Line, $"secrets.{s.Name}.{k.Key}.env", $"${e.Variable} is not set (or empty) here");
                        break;
                }
    }

    static string PortList(PodManifest m) =>
        m.Ports.Any() ? string.Join(", ", m.Ports.Select(p => $"{p.HostPort}/{p.ProtocolName}")) : "no ports";

    static string Relative(FleetFile fleet, string path) => Path.GetRelativePath(fleet.Directory, path);
}
