namespace Vz.Integration.Tests.Nodes;

/// <summary>
/// A tiny container rootfs (busybox-static and a /bin/sh link) as a tar, for
/// `podman import - NAME` on a node: no registry needed.
/// </summary>
public static class BusyboxImage
{
    public static async Task<byte[]> RootfsTarAsync()
    {
        var busybox = ProcessRunner.Which("busybox")
            ?? throw new InvalidOperationException("busybox not found: install busybox-static (harness/install-packages.sh)");
        var dir = Directory.CreateTempSubdirectory("vz-harness-busybox-");
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(dir.FullName, "bin"));
            File.Copy(busybox, Path.Combine(bin.FullName, "busybox"));
            File.CreateSymbolicLink(Path.Combine(bin.FullName, "sh"), "busybox");
            var tar = Path.Combine(Path.GetTempPath(), $"{dir.Name}.tar");
            var r = await ProcessRunner.RunAsync(new ProcessSpec("tar", ["-C", dir.FullName, "-cf", tar, "."]));
            if (!r.Ok)
                throw new InvalidOperationException($"tar failed: {r.StdErr.Trim()}");
            var bytes = await File.ReadAllBytesAsync(tar);
            File.Delete(tar);
            return bytes;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
