using System.Collections.Concurrent;
using System.IO.Compression;
using ZstdSharp;

namespace Vz.Deploy.Push;

/// <summary>
/// The master's cache of archives it pushed, by sha256 (default ~/.cache/vz/images/sha256/HEX.tar):
/// a delta needs the exact bytes the node holds.
/// </summary>
public sealed class LocalImageCache(string root)
{
    public const int Keep = 8;

    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable("VZ_CACHE_DIR") is { Length: > 0 } d ? d
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "vz", "images");

    public string Root => root;

    public string PathFor(string sha) => Path.Combine(root, "sha256", sha + ".tar");

    public bool Has(string sha) => File.Exists(PathFor(sha));

    /// <summary>Adds an archive (copy, then rename, so a crash never leaves a truncated entry) and prunes old ones.</summary>
    public void Add(ImageArchive archive)
    {
        var dest = PathFor(archive.Sha256);
        if (File.Exists(dest))
        {
            File.SetLastWriteTimeUtc(dest, DateTime.UtcNow);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
        var tmp = dest + $".{Environment.ProcessId}.tmp";
        File.Copy(archive.Path, tmp, overwrite: true);
        File.Move(tmp, dest, overwrite: true);
        foreach (var old in new DirectoryInfo(Path.GetDirectoryName(dest)!).GetFiles("*.tar")
                     .OrderByDescending(f => f.LastWriteTimeUtc).Skip(Keep))
            old.Delete();
    }
}

/// <summary>A file to send, with the hash the node checks it against.</summary>
public sealed record Payload(PushMode Mode, string LocalPath, long Size, string Sha256, string? BaseSha);

/// <summary>
/// Builds upload payloads once per push and shares them between nodes: the full archive (zstd- or gzip-compressed)
/// and one xdelta3 delta per distinct node version (xdelta3 runs through <paramref name="processes"/>).
/// </summary>
public sealed class PayloadBuilder(ImageArchive archive, LocalImageCache cache, string workDir, IProcessRunner processes) : IDisposable
{
    /// <summary>
    /// zstd level for the wire. Measured on a 55 MB python3.11 image (native zstd): level 9 gives
    /// 13.9 MB in 1.9 s, level 12 13.8 MB in 4.2 s, level 19 12.1 MB in 58 s.
    /// </summary>
    public const int ZstdLevel = 9;

    readonly ConcurrentDictionary<string, Lazy<Task<Payload>>> built = new();

    /// <summary>The full archive as a node with this full-upload mode takes it: zstd, gzip, or the archive itself.</summary>
    public Task<Payload> FullAsync(PushMode mode, CancellationToken ct) => mode switch
    {
        PushMode.FullZstd => Once("zstd", () => Task.Run(() => Compress(mode, ".tar.zst", s => new CompressionStream(s, ZstdLevel), ct), ct)),
        // gzip for nodes without zstd; Optimal (zlib level 6) measured about 3.5:1 on image archives.
        PushMode.FullGzip => Once("gzip", () => Task.Run(() => Compress(mode, ".tar.gz", s => new GZipStream(s, CompressionLevel.Optimal), ct), ct)),
        _ => Task.FromResult(new Payload(PushMode.Full, archive.Path, archive.Size, archive.Sha256, null)),
    };

    public Task<Payload> DeltaAsync(string baseSha, CancellationToken ct) =>
        Once("delta-" + baseSha, () => EncodeDelta(baseSha, ct));

    /// <summary>Builds a payload the first time any node asks for it; later askers share the same task.</summary>
    Task<Payload> Once(string key, Func<Task<Payload>> build) =>
        built.GetOrAdd(key, _ => new Lazy<Task<Payload>>(build)).Value;

    Payload Compress(PushMode mode, string extension, Func<Stream, Stream> compressor, CancellationToken ct)
    {
        var dest = Path.Combine(workDir, archive.Sha256 + extension);
        using (var input = File.OpenRead(archive.Path))
        using (var output = File.Create(dest))
        using (var compressed = compressor(output))
            input.CopyTo(compressed);
        ct.ThrowIfCancellationRequested();
        return Describe(mode, dest, null);
    }

    async Task<Payload> EncodeDelta(string baseSha, CancellationToken ct)
    {
        var old = cache.PathFor(baseSha);
        var dest = Path.Combine(workDir, $"{archive.Sha256}.from-{baseSha[..12]}.vcdiff");
        // -D: the archives are plain tars, no external decompression; -S lzma gave the smallest
        // deltas; -B covers the whole old archive (see PushPlanner.SourceWindow).
        var window = PushPlanner.SourceWindow(new FileInfo(old).Length);
        var r = await processes.RunAsync(new ProcessSpec("xdelta3",
            ["-e", "-9", "-S", "lzma", "-D", "-f", "-B", window.ToString(), "-s", old, archive.Path, dest]), ct);
        if (!r.Ok)
            throw new VzException(DeployErrors.DeltaEncodeFailed, $"xdelta3 could not encode a delta from {baseSha[..12]}: {r.StdErr.Trim()}");
        return Describe(PushMode.Delta, dest, baseSha);
    }

    static Payload Describe(PushMode mode, string path, string? baseSha) =>
        new(mode, path, new FileInfo(path).Length, ImageArchive.Sha256Of(path), baseSha);

    public void Dispose()
    {
        try { Directory.Delete(workDir, recursive: true); }
        catch (IOException) { }
    }
}
