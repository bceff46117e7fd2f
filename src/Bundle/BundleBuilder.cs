using Vz.Bundle.Fs;
using Vz.Bundle.Runtime;
using Vz.Bundle.Tar;
using Vz.Oci;
using Vz.Oci.Tar;
using Vz.Fs;

namespace Vz.Bundle;

/// <summary>What to put in an OCI runtime bundle.</summary>
public sealed record BundleRequest
{
    /// <summary>Absolute paths as seen inside <see cref="SourceRoot"/> (a closure); each brings its parents and symlink chain.</summary>
    public required IReadOnlyList<string> Paths { get; init; }
    public string SourceRoot { get; init; } = "/";
    /// <summary>The bundle directory: gets rootfs/ and config.json.</summary>
    public required string OutDir { get; init; }
    public required RuntimeOptions Runtime { get; init; }
    /// <summary>"UID[:GID]" or names from the rootfs's /etc/passwd; overrides Runtime.Uid/Gid when set.</summary>
    public string? User { get; init; }
    /// <summary>Replace an existing rootfs/ and config.json in OutDir.</summary>
    public bool Force { get; init; }
    /// <summary>mtime given to mount-point directories vz creates (SOURCE_DATE_EPOCH or 0).</summary>
    public long Epoch { get; init; }
    /// <summary>
    /// Write rootfs/etc/ld.so.cache with `ldconfig -r`: the closure found a library only through
    /// an ld.so.conf directory, which ld.so searches only through its cache (ld.so(8)).
    /// </summary>
    public bool LoaderCache { get; init; }
}

public sealed record BundleResult(string BundleDir, string ConfigPath, RootfsResult Rootfs, RuntimeConfig Config);

/// <summary>
/// Makes an OCI runtime bundle (https://github.com/opencontainers/runtime-spec/blob/v1.0.2/bundle.md):
/// copies the paths into OutDir/rootfs, then writes OutDir/config.json once it validates.
/// </summary>
public static class BundleBuilder
{
    public const string ConfigFile = "config.json";
    public const string RootfsDir = "rootfs";

    /// <param name="beforeSwap">
    /// Runs on the finished staged bundle (its directory) before it replaces anything: what else must
    /// succeed first (packing it), so a failure there leaves the old bundle as it was.
    /// </param>
    public static BundleResult Build(BundleRequest request, Action<string>? beforeSwap = null)
    {
        var dir = Path.GetFullPath(request.OutDir);
        var rootfs = Path.Combine(dir, RootfsDir);
        var configPath = Path.Combine(dir, ConfigFile);
        if (!request.Force && File.Exists(configPath))
            throw new VzException(BundleErrors.OutputExists, $"{configPath}: a bundle is already there", "pass --force to replace it");
        var existed = Directory.Exists(dir);
        // Build beside the old bundle and swap only once the new one validates: a failed
        // build (even with --force) leaves what was there untouched.
        var staging = Path.Combine(dir, $".vz-staging-{Environment.ProcessId}");
        var stagedRootfs = Path.Combine(staging, RootfsDir);
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
            // The working directory must exist for the runtime to chdir into it.
            var mountPoints = request.Runtime.Cwd is "/" or "" || !request.Runtime.Cwd.StartsWith('/')
                ? RootfsBuilder.DefaultMountPoints
                : [.. RootfsBuilder.DefaultMountPoints, new MountPoint(request.Runtime.Cwd, Modes.O755)];
            var built = RootfsBuilder.Build(request.Paths, request.SourceRoot, stagedRootfs, mountPoints, request.Epoch);
            if (request.LoaderCache)
                // -X: only the cache; the links are the source's, copied as they were.
                ProcessRunner.RunChecked(BundleErrors.LdconfigFailed, ProcessRunner.Which("ldconfig") ?? "/sbin/ldconfig", ["-X", "-r", stagedRootfs]);
            var runtime = RuntimeConfigFactory.PinExecutable(request.Runtime, stagedRootfs);
            if (request.User is { } user)
            {
                var (uid, gid) = RuntimeConfigFactory.ParseUser(user, stagedRootfs);
                runtime = runtime with { Uid = uid, Gid = gid };
            }
            var config = RuntimeConfigFactory.Create(runtime);
            RuntimeConfigFactory.Validate(config, stagedRootfs, configPath);
            var stagedConfig = Path.Combine(staging, ConfigFile);
            RuntimeConfigJson.Save(config, stagedConfig);
            beforeSwap?.Invoke(staging);

            if (Directory.Exists(rootfs)) Directory.Delete(rootfs, recursive: true);
            if (File.Exists(configPath)) File.Delete(configPath);
            Directory.Move(stagedRootfs, rootfs);
            File.Move(stagedConfig, configPath);
            Directory.Delete(staging);
            return new BundleResult(dir, configPath, built with { RootfsDir = rootfs }, config);
        }
        catch (Exception e) when (e is VzException or IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (!existed && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
            if (e is VzException)
                throw;
            throw new VzException(BundleErrors.IoFailed, $"bundle {dir}: {e.Message}", inner: e);
        }
    }

    /// <summary>The entries of a bundle's tarball: config.json and the rootfs it names (<see cref="BundleDirectory.Open"/>), sorted.</summary>
    public static IReadOnlyList<TarEntry> PackEntries(string bundleDir)
    {
        var bundle = BundleDirectory.Open(bundleDir);
        var st = FileStat.Of(bundle.ConfigPath)!;
        var config = new TarEntry(ConfigFile, TarEntryKind.File, Modes.O644, 0, 0, st.MTimeSeconds) { Size = st.Size, SourcePath = bundle.ConfigPath };
        return [config, .. TreeScanner.Scan(bundle.RootfsDir, bundle.RootfsName + "/")];
    }

    /// <summary>Packs a bundle into a reproducible tarball; mtimes are clamped to <paramref name="epoch"/>.</summary>
    public static void Pack(string bundleDir, string file, Compression compression, long epoch) =>
        Packer.Pack(PackEntries(bundleDir), file, compression, epoch);
}
