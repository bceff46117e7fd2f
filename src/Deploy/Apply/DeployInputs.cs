using Vz.Deploy.Pods;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;

namespace Vz.Deploy.Apply;

/// <summary>
/// What a deploy reads on the operator's machine, once, before any node is touched: each image
/// archive opened and hashed (its payloads, deltas included, built at most once and shared
/// between nodes) and each pod's secret values. The values stay in memory; they reach nodes only
/// as uploaded files.
/// </summary>
public sealed class DeployInputs : IDisposable
{
    readonly Dictionary<string, ImageArchive> archives = new(StringComparer.Ordinal);
    readonly Dictionary<string, PayloadBuilder> payloads = new(StringComparer.Ordinal);
    readonly Dictionary<string, IReadOnlyList<(string Secret, string Key, byte[] Value)>> secrets = new(StringComparer.Ordinal);
    readonly string work;

    public LocalImageCache Cache { get; }

    DeployInputs(string cacheDir)
    {
        Cache = new LocalImageCache(cacheDir);
        work = Directory.CreateTempSubdirectory("vz-deploy-").FullName;
    }

    /// <summary>Opens every archive the chosen nodes' pods need and reads their secrets; a wrong archive fails here (VZ4107).</summary>
    public static DeployInputs Read(LoadedFleet fleet, string cacheDir, Fleet.IFleetSources? sources = null, IProcessRunner? processes = null)
    {
        var inputs = new DeployInputs(cacheDir);
        try
        {
            var file = Path.GetFileName(fleet.File.Path);
            foreach (var pod in fleet.Nodes.SelectMany(n => n.Pods).Distinct(StringComparer.Ordinal))
            {
                var entry = fleet.Entry(pod);
                foreach (var image in entry.Images.Where(i => !inputs.archives.ContainsKey(i.Archive)))
                {
                    var archive = ImageArchive.Open(image.Archive);
                    if (archive.Name != image.Image)
                        throw new VzException(PodErrors.ImageWithoutArchive,
                            $"{file}:{image.Line}: pods[{fleet.File.Pods.ToList().IndexOf(entry)}].images.{image.Image}: {Path.GetRelativePath(fleet.File.Directory, image.Archive)} holds {archive.Name}, not {image.Image}",
                            "rebuild it with vzbuild image --tag, or name the image the archive holds");
                    inputs.archives[image.Archive] = archive;
                    inputs.payloads[image.Archive] = new PayloadBuilder(archive, inputs.Cache,
                        Directory.CreateDirectory(Path.Combine(inputs.work, $"image{inputs.payloads.Count}")).FullName, processes ?? ProcessRunner.Default);
                }
                inputs.secrets[pod] = DesiredState.SecretValues(fleet.File, fleet.Fleet.ManifestOf(pod), sources ?? Fleet.LocalFleetSources.Instance);
            }
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    public ImageArchive Archive(string localPath) => archives[localPath];

    public PayloadBuilder Payloads(string localPath) => payloads[localPath];

    public IReadOnlyList<(string Secret, string Key, byte[] Value)> SecretsOf(string pod) => secrets[pod];

    /// <summary>Keeps the archives a node now holds, so the next deploy can send deltas against them.</summary>
    public void Remember(IEnumerable<string> localPaths)
    {
        foreach (var p in localPaths.Distinct(StringComparer.Ordinal))
            Cache.Add(archives[p]);
    }

    public void Dispose()
    {
        foreach (var p in payloads.Values)
            p.Dispose();
        try { Directory.Delete(work, recursive: true); }
        catch (IOException) { }
    }
}
