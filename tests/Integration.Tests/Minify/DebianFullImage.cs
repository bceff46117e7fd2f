using System.Globalization;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// A full Debian image in podman storage, made once per test class: the test nodes' debootstrap
/// base rootfs (`vznode image`, ~296 MB, cached and built by CI for the node tests anyway) plus
/// fixtures/workloads/py-sqlite.py as /opt/app.py, through `tar | podman import`.
/// </summary>
public sealed class DebianFullImage : IDisposable
{
    public const string App = "/opt/app.py";

    readonly ScratchDir dir = new("minify-full");

    public DebianFullImage()
    {
        Podman = new Podman("minify");
        var built = VzNode.TryRunAsync(["image"]).GetAwaiter().GetResult();
        if (!built.Ok)
            throw new InvalidOperationException($"vznode image failed: {built.StdErr}");
        const string ready = "base image ready: ";
        BaseRootfs = built.StdErr.Split('\n').Select(l => l.Trim()).Last(l => l.Contains(ready, StringComparison.Ordinal))
            .Split(ready)[1];

        Directory.CreateDirectory(dir["app/opt"]);
        File.Copy(Path.Combine(Cli.RepoRoot.Path, "fixtures", "workloads", "py-sqlite.py"), dir["app/opt/app.py"]);
        Image = Podman.TrackImage($"localhost/{dir.Id}:full");
        // GNU tar's second -C adds /opt/app.py after the base; podman import makes one layer of it.
        Tools.Checked(new ProcessSpec("bash", ["-o", "pipefail", "-c",
            $"tar -c -C '{BaseRootfs}' . -C '{dir["app"]}' ./opt/app.py | podman import - '{Image}'"])
        {
            Environment = Podman.Environment,
            Timeout = TimeSpan.FromMinutes(5),
        });
        Output = Podman.Checked("run", "--rm", Image, "python3", App).StdOut;
        SizeBytes = long.Parse(Podman.Checked("image", "inspect", "--format", "{{.Size}}", Image).StdOut.Trim(), CultureInfo.InvariantCulture);
    }

    public Podman Podman { get; }

    /// <summary>The harness's debootstrap rootfs; shared with the test nodes, so only ever read.</summary>
    public string BaseRootfs { get; }

    public string Image { get; }

    /// <summary>What `podman run IMAGE python3 /opt/app.py` prints from the full image.</summary>
    public string Output { get; }

    /// <summary>`podman image inspect` .Size of the full image.</summary>
    public long SizeBytes { get; }

    public void Dispose()
    {
        Podman.Dispose();
        dir.Dispose();
    }
}
