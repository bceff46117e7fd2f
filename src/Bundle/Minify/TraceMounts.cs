namespace Vz.Bundle.Minify;

/// <summary>
/// Gives a rootfs the /proc and /dev a program expects while it is traced there,
/// as a container runtime would, and takes them away afterwards (lazily, so a
/// program that left a process behind cannot keep them).
/// </summary>
internal sealed class TraceMounts : IDisposable
{
    readonly List<string> mounted = new();

    public static TraceMounts Attach(string rootfs)
    {
        var m = new TraceMounts();
        try
        {
            m.Mount(Path.Combine(rootfs, "proc"), "-t", "proc", "proc");
            m.Mount(Path.Combine(rootfs, "dev"), "--rbind", "/dev");
        }
        catch
        {
            m.Dispose();
            throw;
        }
        return m;
    }

    void Mount(string target, params string[] args)
    {
        // A symlinked /proc or /dev in an image would point the mount elsewhere: refuse it.
        if (new FileInfo(target).LinkTarget is not null)
            throw new VzException("VZ2320", $"{target} is a symlink in the source image; refusing to mount over it");
        Directory.CreateDirectory(target);
        ProcessRunner.RunChecked("VZ2321", "mount", [.. args, target]);
        mounted.Add(target);
    }

    public void Dispose()
    {
        for (var i = mounted.Count - 1; i >= 0; i--)
            ProcessRunner.Run(new ProcessSpec("umount", ["-R", "-l", mounted[i]]));
        mounted.Clear();
    }
}
