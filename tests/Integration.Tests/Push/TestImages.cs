namespace Vz.Integration.Tests.Push;

/// <summary>
/// Tiny real OCI image archives made with podman: a busybox-static rootfs imported, then saved with
/// uncompressed layers (as vz's own archives are). v2 differs from v1 in one small file; "big"
/// carries 8 MiB of random bytes so an upload takes long enough to interrupt.
/// </summary>
public sealed class TestImages : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("vz-deploy-images-").FullName;
    public string Repo { get; } = $"localhost/vz-deploy-test-{Guid.NewGuid():N}"[..44];
    public string V1 { get; }
    public string V2 { get; }
    public string Big { get; }
    /// <summary>Big with one small file changed: a delta far smaller than vzpatch, and full uploads far bigger.</summary>
    public string Big2 { get; }
    /// <summary>Two versions of an image of a few small files, far under xdelta3's smallest source window (512 KiB).</summary>
    public string Tiny1 { get; }
    public string Tiny2 { get; }
    readonly List<string> names = [];

    public string ContainersConf => Path.Combine(Dir, "containers.conf");

    public TestImages()
    {
        foreach (var tool in new[] { "podman", "xdelta3", "zstd" })
            if (ProcessRunner.Which(tool) is null)
                throw new InvalidOperationException($"{tool} is not installed: run bash harness/install-packages.sh");
        File.WriteAllText(ContainersConf, "[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n");
        var rootfs = Path.Combine(Dir, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        var random = new Random(42);
        var data = new byte[512 * 1024];
        random.NextBytes(data);
        File.WriteAllBytes(Path.Combine(rootfs, "data.bin"), data);
        File.WriteAllText(Path.Combine(rootfs, "version"), "v1\n");
        V1 = Save(rootfs, "v1");
        File.WriteAllText(Path.Combine(rootfs, "version"), "v2 with one changed file\n");
        V2 = Save(rootfs, "v2");
        var big = new byte[8 * 1024 * 1024];
        random.NextBytes(big);
        File.WriteAllBytes(Path.Combine(rootfs, "big.bin"), big);
        Big = Save(rootfs, "big");
        File.WriteAllText(Path.Combine(rootfs, "version"), "big2\n");
        Big2 = Save(rootfs, "big2");
        var tiny = Path.Combine(Dir, "tiny-rootfs");
        Directory.CreateDirectory(Path.Combine(tiny, "etc"));
        var text = new byte[20 * 1024];
        random.NextBytes(text);
        File.WriteAllBytes(Path.Combine(tiny, "etc", "data"), text);
        File.WriteAllText(Path.Combine(tiny, "version"), "tiny1\n");
        Tiny1 = Save(tiny, "tiny1");
        File.WriteAllText(Path.Combine(tiny, "version"), "tiny2\n");
        Tiny2 = Save(tiny, "tiny2");
        // The node must get the image from the push, not from the podman that built it.
        foreach (var n in names)
            Podman("rmi", "-f", n);
    }

    public string Name(string tag) => $"{Repo}:{tag}";

    string Save(string rootfs, string tag)
    {
        var layer = Path.Combine(Dir, $"rootfs-{tag}.tar");
        ProcessRunner.RunChecked(Vz.Tests.TestErrors.ToolFailed, "tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "-C", rootfs, "-cf", layer, ".");
        Podman("import", layer, Name(tag));
        names.Add(Name(tag));
        var archive = Path.Combine(Dir, $"image-{tag}.tar");
        Podman("save", "--uncompressed", "--format", "oci-archive", "-o", archive, Name(tag));
        return archive;
    }

    public ProcessResult Podman(params string[] args)
    {
        var r = ProcessRunner.Run(new ProcessSpec("podman", args)
        {
            Environment = new Dictionary<string, string?> { ["CONTAINERS_CONF"] = ContainersConf },
        });
        if (!r.Ok && args[0] != "rmi" && args[0] != "image")
            throw new InvalidOperationException($"podman {string.Join(' ', args)}: {r.StdErr}");
        return r;
    }

    public void Unload(params string[] tags)
    {
        foreach (var t in tags)
            Podman("rmi", "-f", Name(t));
    }

    public void Dispose()
    {
        foreach (var n in names)
            Podman("rmi", "-f", n);
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
