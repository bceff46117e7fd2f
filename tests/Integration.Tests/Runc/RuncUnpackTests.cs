using Vz.Deploy.Layout;
using Vz.Deploy.Push;
using Vz.Deploy.Runc;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.RuncPods;

/// <summary>
/// The node's unpack script, run for real on this host (root, GNU tar, as on a node), against images
/// made by other tools: podman commits a layer with whiteouts (a deleted file, a directory removed and
/// made again: an opaque whiteout), podman save writes it uncompressed, skopeo copies it with gzip layers.
/// </summary>
public sealed class RuncUnpackTests
{
    [Fact]
    public void ALayeredImageWithWhiteoutsUnpacksWithTarToTheTreePodmanMountsForItPlainOrGzipped()
    {
        using var dir = new ScratchDir("runc-unpack");
        using var podman = new Podman("runc-unpack");
        var image = podman.TrackImage($"localhost/vz-unpack-{dir.Id}:1");
        var baseImage = podman.TrackImage($"localhost/vz-unpack-base-{dir.Id}:1");
        var busybox = ProcessRunner.Which("busybox") ?? throw new InvalidOperationException("busybox not found");
        var root = dir["root"];
        foreach (var d in new[] { "bin", "etc", "var/cache/old", "keep" })
            Directory.CreateDirectory(Path.Combine(root, d));
        File.Copy(busybox, Path.Combine(root, "bin/busybox"));
        File.CreateSymbolicLink(Path.Combine(root, "bin/sh"), "busybox");
        File.WriteAllText(Path.Combine(root, "etc/motd"), "hi\n");
        File.WriteAllText(Path.Combine(root, "var/cache/a"), "a\n");
        File.WriteAllText(Path.Combine(root, "var/cache/old/b"), "b\n");
        File.WriteAllText(Path.Combine(root, "keep/x"), "x\n");
        Checked(ProcessRunner.Run(new ProcessSpec("tar", ["-C", root, "-cf", dir["base.tar"], "."])));
        podman.Checked("import", "-q", dir["base.tar"], baseImage);
        var ctr = podman.TrackContainer($"vz-unpack-{dir.Id}");
        podman.Checked("run", "--name", ctr, baseImage, "/bin/sh", "-c",
            "rm /etc/motd && rm -rf /var/cache && mkdir /var/cache && echo n > /var/cache/new && echo y > /keep/y && ln -s keep /link && chown 33:33 /keep/y && chmod 640 /keep/y");
        podman.Checked("commit", "-q", ctr, image);
        podman.Checked("save", "--format", "oci-archive", "--uncompressed", "-o", dir["plain.tar"], image);
        Checked(ProcessRunner.Run(new ProcessSpec(Tools.Require("skopeo"), ["copy", "-q", $"oci-archive:{dir["plain.tar"]}", $"oci-archive:{dir["gzip.tar"]}:{image}"])));

        var mounted = podman.Checked("image", "mount", image).StdOut.Trim();
        string[] expected;
        try
        {
            expected = Tree(mounted);
        }
        finally
        {
            podman.Run("image", "unmount", image);
        }
        Assert.DoesNotContain(expected, l => l.StartsWith("etc/motd ", StringComparison.Ordinal) || l.StartsWith("var/cache/a ", StringComparison.Ordinal));
        Assert.Contains("keep/y f 640 33:33 ", expected);
        Assert.Contains("link l 777 0:0 keep", expected);

        foreach (var (archive, compression) in new[] { ("plain.tar", LayerCompression.None), ("gzip.tar", LayerCompression.Gzip) })
        {
            var runc = RuncImage.Of(ImageArchive.Open(dir[archive]));
            Assert.Equal(2, runc.Unpack.Layers.Count);
            Assert.All(runc.Unpack.Layers, l => Assert.Equal(compression, l.Compression));
            Assert.Contains("etc/motd", runc.Unpack.Layers[1].Deletes);
            Assert.Contains("var/cache", runc.Unpack.Layers[1].Opaque.Concat(runc.Unpack.Layers[1].Deletes));

            var layout = new NodeLayout(dir[$"home-{compression}"]);
            Directory.CreateDirectory(layout.ImageDir(image));
            File.Copy(dir[archive], $"{layout.ImageDir(image)}/{NodeScripts.ArchiveFile(runc.ArchiveSha256)}");
            var script = RuncScripts.Unpack(layout, image, runc.ArchiveSha256, runc.Unpack);
            var first = ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", script]));
            Assert.True(first.Ok && first.StdOut.Trim() == "unpacked", $"{first.StdOut}\n{first.StdErr}");
            Assert.Equal("kept", ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", script])).StdOut.Trim());

            Assert.Equal(expected, Tree(layout.Rootfs(image, runc.ArchiveSha256)));
            Assert.False(Directory.Exists(layout.BundleDir(image, runc.ArchiveSha256) + ".part"));
        }
    }

    [Fact]
    public void ADamagedArchiveIsNotUnpackedAndLeavesNothingBehind()
    {
        using var dir = new ScratchDir("runc-unpack");
        var layout = new NodeLayout(dir["home"]);
        var sha = new string('a', 64);
        Directory.CreateDirectory(layout.ImageDir("localhost/x:1"));
        File.WriteAllText($"{layout.ImageDir("localhost/x:1")}/{NodeScripts.ArchiveFile(sha)}", "not that archive");
        var r = ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", RuncScripts.Unpack(layout, "localhost/x:1", sha, new UnpackPlan([new UnpackLayer("blobs/sha256/x", LayerCompression.None, [], [])], false))]));
        Assert.Equal(RuncScripts.ArchiveDamaged, r.ExitCode);
        Assert.Contains("is damaged", r.StdErr);
        Assert.False(Directory.Exists(layout.BundleDir("localhost/x:1", sha)));
    }

    /// <summary>Every path with its type, mode, owner and (for links) target, as stat sees it.</summary>
    static string[] Tree(string rootfs)
    {
        var r = ProcessRunner.Run(new ProcessSpec("sh", ["-c", "cd \"$1\" && find . -mindepth 1 -printf '%P %y %m %U:%G %l\\n' | sort", "_", rootfs]));
        Checked(r);
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    static void Checked(ProcessResult r)
    {
        if (!r.Ok)
            throw new InvalidOperationException($"exit {r.ExitCode}: {r.StdErr}");
    }
}
