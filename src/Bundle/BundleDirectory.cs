using Vz.Bundle.Runtime;
using Vz.Fs;
using Vz.Oci;

namespace Vz.Bundle;

/// <summary>A bundle as vz reads it: its config.json, validated, and the rootfs directory it names.</summary>
public sealed record OpenedBundle(string Dir, string ConfigPath, RuntimeConfig Config, string RootfsDir)
{
    /// <summary>The rootfs's name inside the bundle ("rootfs"), as tarball entries name it.</summary>
    public string RootfsName => Path.GetRelativePath(Dir, RootfsDir);
}

/// <summary>
/// Opens a bundle directory vz did not necessarily make (`vzbuild image BUNDLE`, packing): nothing
/// it names may lie outside it. config.json must be a regular file in the bundle (not a link to one
/// elsewhere), read within <see cref="RuntimeConfigJson.MaxBytes"/> and validated as `vzbuild bundle`
/// validates its own (<see cref="RuntimeConfigFactory.Validate"/>); root.path must be a relative path
/// that resolves, without a symlink on the way, to a directory inside the bundle. Otherwise a
/// config.json with `"root": {"path": "/etc"}` would pack the host's /etc (with its shadow file and
/// ssh host keys) into an image that is then pushed to nodes.
/// </summary>
public static class BundleDirectory
{
    public static OpenedBundle Open(string bundleDir)
    {
        var dir = Path.GetFullPath(bundleDir);
        if (!Directory.Exists(dir))
            throw new VzException(OciErrors.BadRuntimeConfig, $"{bundleDir}: not a directory (is it a bundle made by vzbuild bundle?)");
        var configPath = Path.Combine(dir, BundleBuilder.ConfigFile);
        var stat = FileStat.Of(configPath)
            ?? throw new VzException(OciErrors.BadRuntimeConfig, $"{configPath}: not found (is {bundleDir} a bundle made by vzbuild bundle?)");
        if (stat.Type != UnixFileType.Regular)
            throw new VzException(OciErrors.BadRuntimeConfig, $"{configPath}: is {FileStat.Describe(stat.Type)}, not a file",
                "a bundle's config.json is a regular file inside it");
        var config = RuntimeConfigJson.Load(configPath);
        var rootfs = RootfsOf(dir, config.Root.Path, configPath);
        RuntimeConfigFactory.Validate(config, rootfs, configPath);
        return new OpenedBundle(dir, configPath, config, rootfs);
    }

    /// <summary>The host path of a bundle's root.path, which must be a directory inside the bundle reached without symlinks.</summary>
    public static string RootfsOf(string bundleDir, string rootPath, string configPath)
    {
        VzException Refuse(string why) => new(BundleErrors.RootOutsideBundle, $"{configPath}: root.path '{rootPath}' {why}",
            "a bundle's rootfs is a directory inside it; vzbuild bundle writes \"root\": {\"path\": \"rootfs\"}");
        if (rootPath.Length == 0)
            throw Refuse("is empty");
        if (rootPath.StartsWith('/'))
            throw Refuse("is absolute: only a path inside the bundle is read");
        if (RootFs.Problem("/" + rootPath) is { } problem)
            throw Refuse($"is refused: {problem}");
        var fs = new RootFs(bundleDir);
        var found = fs.Resolve("/" + rootPath);
        if (found.Chain.Count > 0)
            throw Refuse($"goes through the symlink {found.Chain[0].TrimStart('/')} (-> {found.Steps.First(s => s.LinkTarget is not null).LinkTarget})");
        if (!found.Ok)
            throw Refuse("does not exist in the bundle");
        if (!found.Is(UnixFileType.Directory))
            throw Refuse($"is {FileStat.Describe(found.Stat!.Type)}, not a directory");
        return fs.HostPath(found.Path);
    }
}
