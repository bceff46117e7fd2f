using Vz.Deploy.Platform;
using Vz.Deploy.Runc;

namespace Vz.Deploy.Apply;

/// <summary>
/// The node-facing step of runc pods in a deploy: after push left each verified archive in the
/// node's store and before the releases are installed, every runc pod the deploy switches gets its
/// image version unpacked into its bundle directory (once per version: a kept one is reused) and
/// its volume directories made (<see cref="RuncScripts"/>). Nothing switches before this is done.
/// </summary>
public static class RuncBundles
{
    /// <summary>How long unpacking one image may take on a small node before its silence counts as a lost link.</summary>
    public static readonly TimeSpan UnpackDeadline = TimeSpan.FromMinutes(10);

    /// <summary>Prepares the runc pods among <paramref name="pods"/>; returns one note per image unpacked.</summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(NodeShell shell, LoadedFleet fleet, DeployInputs inputs, NodeSurvey survey,
        IEnumerable<string> pods, Action<string> stage, CancellationToken ct)
    {
        var notes = new List<string>();
        foreach (var pod in pods.Where(p => survey.Plans[p].Unit == UnitKind.RuncService))
        {
            var manifest = fleet.Fleet.ManifestOf(pod);
            var entry = fleet.Entry(pod).Images.Single();
            var image = RuncImage.Of(inputs.Archive(entry.Archive));
            stage($"unpack {entry.Image}");
            var r = await shell.RunAsync(RuncScripts.Unpack(survey.Layout, entry.Image, image.ArchiveSha256, image.Unpack), UnpackDeadline, ct);
            if (!r.Ok)
                throw new VzException(RuncErrors.UnpackFailed, $"{pod}: unpack {entry.Image} (sha256:{image.ArchiveSha256[..12]}) into {survey.Layout.BundleDir(entry.Image, image.ArchiveSha256)}: exit {r.ExitCode}: {NodeShell.LastLine(r)}");
            if (r.StdOut.Contains("unpacked", StringComparison.Ordinal))
                notes.Add($"{entry.Image} unpacked for runc");
            var user = RuncConfig.User(manifest, manifest.Containers.Single(), image);
            await shell.CheckedAsync(RuncScripts.Volumes(survey.Layout, manifest, user.Uid, user.Gid), $"make the volume directories of {pod}", ct);
        }
        return notes;
    }
}
