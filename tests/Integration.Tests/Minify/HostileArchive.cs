using System.Formats.Tar;
using System.Text;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// Writes docker-archives (manifest.json, config, one layer) whose layer holds whatever a test
/// asks for: names with "..", links out of the root, device nodes. Written with
/// System.Formats.Tar, which writes such entries as given.
/// </summary>
public sealed class HostileArchive
{
    readonly List<Action<TarWriter>> layer = new();
    readonly List<Action<TarWriter>> outer = new();

    /// <summary>The static busybox at /bin/busybox, so the crafted image has a program to trace.</summary>
    public HostileArchive WithBusybox()
    {
        var busybox = Infra.Tools.Require("busybox");
        layer.Add(w => w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = Dir }));
        layer.Add(w => w.WriteEntry(busybox, "bin/busybox"));
        return this;
    }

    const UnixFileMode Dir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public HostileArchive File(string name, string content) => Add(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead,
    });

    public HostileArchive Symlink(string name, string target) => Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public HostileArchive HardLink(string name, string target) => Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    public HostileArchive CharDevice(string name, int major, int minor) =>
        Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { DeviceMajor = major, DeviceMinor = minor, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite });

    public HostileArchive Fifo(string name) => Add(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite });

    /// <summary>An extra entry in the outer archive (next to manifest.json), not in the layer.</summary>
    public HostileArchive OuterFile(string name, string content) => AddOuter(new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
    });

    HostileArchive Add(TarEntry e) { layer.Add(w => w.WriteEntry(e)); return this; }

    HostileArchive AddOuter(TarEntry e) { outer.Add(w => w.WriteEntry(e)); return this; }

    public string Write(string path)
    {
        var layerBytes = new MemoryStream();
        using (var w = new TarWriter(layerBytes, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var add in layer)
                add(w);
        using var fs = System.IO.File.Create(path);
        using var tar = new TarWriter(fs, TarEntryFormat.Pax);
        Put(tar, "manifest.json", """[{"Config":"config.json","RepoTags":["localhost/vz-hostile:1"],"Layers":["layer.tar"]}]"""u8.ToArray());
        Put(tar, "config.json", """{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}"""u8.ToArray());
        Put(tar, "layer.tar", layerBytes.ToArray());
        foreach (var add in outer)
            add(tar);
        return path;
    }

    static void Put(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
}
