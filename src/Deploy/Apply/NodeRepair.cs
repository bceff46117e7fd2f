using System.Collections.Concurrent;
using System.Text;
using Vz.Deploy.Drift;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Push;
using Vz.Oci;

namespace Vz.Deploy.Apply;

/// <summary>
/// What makes deploy repair what diff reports (src/Deploy/README.md "vzbuild diff"): a pod is
/// "unchanged" only when diff finds nothing deploy repairs on it (<see cref="DriftCheck.RepairedByDeploy"/>),
/// so a unit disabled, a pod stopped or an image retagged by hand gets the pod switched to its
/// desired release again; and, before that switch, <see cref="PrepareAsync"/> loads again from the
/// node's own store an image whose name now points at another ID, and removes a release directory
/// whose files were changed by hand so the verified upload replaces it. Diff reads the same desired
/// pods (<see cref="DesiredPods"/>), so the two agree by construction.
/// </summary>
public static class NodeRepair
{
    static readonly ConcurrentDictionary<string, string> Ids = new(StringComparer.Ordinal);

    /// <summary>The image ID podman gives an archive's image when it loads it: its config digest (read once per archive).</summary>
    public static string ImageId(ImageArchive archive) => Ids.GetOrAdd(archive.Sha256, _ =>
    {
        var info = OciArchive.ReadIndex(archive.Path);
        var manifest = OciJson.Deserialize<ImageManifest>(OciArchive.ReadMember(archive.Path, OciArchive.BlobPath(info.Manifest.Digest)), $"{archive.Path}: manifest");
        return manifest.Config.Digest;
    });

    /// <summary>Each pod's desired state as diff compares it: the release deploy would install, its files' digests, image IDs, containers.</summary>
    public static IReadOnlyDictionary<string, DesiredPod> DesiredPods(LoadedFleet fleet, DeployInputs inputs,
        IReadOnlyDictionary<string, PlatformPlan> plans, IReadOnlyDictionary<string, DesiredRelease> desired) =>
        plans.ToDictionary(kv => kv.Key, kv =>
        {
            var record = desired[kv.Key].Record;
            return new DesiredPod
            {
                Pod = kv.Key,
                Release = record.Id,
                ManifestSha = record.Manifest,
                UnitSha = record.Unit,
                // A runc pod runs an unpacked bundle, not a podman image: there is no image name to check.
                ImageIds = kv.Value.Unit == UnitKind.RuncService ? new Dictionary<string, string>()
                    : fleet.Entry(kv.Key).Images.ToDictionary(i => i.Image, i => ImageId(inputs.Archive(i.Archive)), StringComparer.Ordinal),
                Containers = DesiredPod.ContainerNames(fleet.Fleet.ManifestOf(kv.Key)),
                Unit = kv.Value.Unit,
            };
        }, StringComparer.Ordinal);

    /// <summary>What diff finds on a pod that a deploy repairs (empty: the pod needs nothing but what its release says).</summary>
    public static IReadOnlyList<DriftFinding> Repairs(NodeSurvey survey, string pod)
    {
        if (!survey.DriftDesired.TryGetValue(pod, out var want))
            return [];
        var found = DriftCheck.ComparePod(survey.Status.Node, want, survey.Observed(pod)).Where(f => DriftCheck.RepairedByDeploy(f.Kind)).ToList();
        // Switching a rootless pod enables linger (PodScripts.Switch).
        if (survey.Plans[pod].NeedsLinger && !survey.Status.Linger)
            found.Add(new DriftFinding(survey.Status.Node, null, DriftKind.LingerMissing, "linger is off for the deploy user"));
        return found;
    }

    /// <summary>
    /// Runs after the images are pushed and before the releases are installed, for the pods deploy
    /// switches: an image whose name podman now resolves to another ID (or to nothing) is loaded
    /// again from the verified archive in the node's store (push left it there; nothing is
    /// uploaded); a release directory already on the node whose files differ from the desired ones
    /// is removed, so installing the release puts the uploaded, verified files in its place.
    /// Returns one note per thing it put right.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(NodeShell shell, LoadedFleet fleet, DeployInputs inputs, NodeSurvey survey, IEnumerable<string> pods, CancellationToken ct)
    {
        var reload = new List<(string Image, string Sha, string Id)>();
        var releases = new List<(string Pod, string Id, IReadOnlyList<(string File, string Sha)> Files)>();
        foreach (var pod in pods)
        {
            var seen = survey.Observed(pod);
            foreach (var image in fleet.Entry(pod).Images)
            {
                var archive = inputs.Archive(image.Archive);
                var want = survey.DriftDesired.TryGetValue(pod, out var d) ? d.ImageIds[image.Image] : null;
                if (seen is not null && want is not null && !SameId(seen.ImageIds.GetValueOrDefault(image.Image), want) && !reload.Contains((image.Image, archive.Sha256, want)))
                    reload.Add((image.Image, archive.Sha256, want));
            }
            var desired = survey.Desired[pod];
            releases.Add((pod, desired.Record.Id,
            [
                (NodeLayout.ManifestFile, Rollout.DesiredState.Sha256(desired.Manifest)),
                (NodeLayout.UnitCopyFile, Rollout.DesiredState.Sha256(desired.Unit)),
                ("restore.sh", Rollout.DesiredState.Sha256(desired.Restore)),
            ]));
        }
        var output = await shell.CheckedAsync(PrepareScript(survey.Layout, survey.Plans.Values.First(), reload, releases), "repair the node's images and releases", ct);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("repaired: ", StringComparison.Ordinal)).Select(l => l[10..]).ToList();
    }

    /// <summary>
    /// The node-side half of <see cref="PrepareAsync"/>; prints "repaired: ..." per thing it put right.
    /// An image is loaded again only when its name still resolves to another ID than the archive's:
    /// the survey read the node before the push, which loads a new version under its name.
    /// </summary>
    public static string PrepareScript(NodeLayout layout, PlatformPlan plan, IReadOnlyList<(string Image, string Sha, string Id)> reload,
        IReadOnlyList<(string Pod, string Id, IReadOnlyList<(string File, string Sha)> Files)> releases)
    {
        static string Q(string s) => Sh.Quote(s);
        var sb = new StringBuilder("set -e\n");
        foreach (var (k, v) in plan.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"export {k}={Q(v)}\n");
        var podman = string.Join(' ', new[] { plan.PodmanPath }.Concat(plan.PodmanGlobalArgs).Select(Q));
        foreach (var (image, sha, id) in reload)
        {
            var archive = $"{layout.ImageDir(image)}/{NodeScripts.ArchiveFile(sha)}";
            sb.Append($"if [ \"$({podman} image inspect --format '{{{{.Id}}}}' {Q(image)} 2>/dev/null)\" != {Q(Bare(id))} ]; then\n");
            sb.Append($"  [ \"$(sha256sum < {Q(archive)} | cut -d' ' -f1)\" = {Q(sha)} ] || {{ echo {Q($"{archive} is missing or damaged")} >&2; exit 1; }}\n");
            sb.Append($"  {podman} load -q -i {Q(archive)} >/dev/null\n");
            sb.Append($"  echo {Q($"repaired: {image} loaded again from the node's store (its name pointed at another image)")}\n");
            sb.Append("fi\n");
        }
        foreach (var (pod, id, files) in releases)
        {
            var dir = layout.Release(pod, id);
            sb.Append($"if [ -d {Q(dir)} ]; then ok=1\n");
            foreach (var (file, sha) in files)
                sb.Append($"  [ \"$(sha256sum < {Q($"{dir}/{file}")} 2>/dev/null | cut -d' ' -f1)\" = {Q(sha)} ] || ok=0\n");
            sb.Append($"  if [ \"$ok\" = 0 ]; then rm -rf {Q(dir)}; echo {Q($"repaired: release {id} of {pod} had files changed on the node: installed again")}; fi\n");
            sb.Append("fi\n");
        }
        return sb.ToString();
    }

    static bool SameId(string? a, string b) => a is not null && Bare(a) == Bare(b);

    static string Bare(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
}
