using Vz.Bundle.Runtime;
using Vz.Bundle.Tar;
using Vz.Fs;
using Vz.Trace.Spec;

namespace Vz.Bundle;

/// <summary>What `vzbuild bundle` was asked to do.</summary>
public sealed record SpecBundleRequest
{
    public required string SpecPath { get; init; }
    /// <summary>The filesystem root the spec's paths are read from.</summary>
    public string Root { get; init; } = "/";
    public required string OutDir { get; init; }
    /// <summary>Hostname of the container.</summary>
    public required string Name { get; init; }
    /// <summary>The command to run; the spec's recorded command when null.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>The working directory; the spec's traced cwd, else "/", when null.</summary>
    public string? Cwd { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> Ports { get; init; } = [];
    public bool Force { get; init; }
    /// <summary>Copy exactly the spec's paths and what its globs match, without the closure.</summary>
    public bool NoClosure { get; init; }
    /// <summary>Also pack the bundle into a reproducible tarball.</summary>
    public bool Pack { get; init; }
    /// <summary>The tarball; OUTDIR + the compression's extension when null.</summary>
    public string? PackFile { get; init; }
    /// <summary>Compression of the tarball; from PackFile's extension, else zstd, when null.</summary>
    public Compression? Compression { get; init; }
    public long Epoch { get; init; }
    /// <summary>A listed path missing from the root is an error (VZ2003), not a warning.</summary>
    public bool Strict { get; init; }
}

/// <summary>The bundle written, and the tarball when one was asked for.</summary>
public sealed record SpecBundleResult(BundleResult Bundle, string? PackFile, Compression? Compression);

/// <summary>
/// `vzbuild bundle`: a spec resolved by <see cref="SpecResolver"/> (as trace and minify resolve it)
/// into a bundle whose process is the spec's command, started as the trace saw it run.
/// </summary>
public static class SpecBundle
{
    public static SpecBundleResult Build(SpecBundleRequest request, IReporter reporter)
    {
        var spec = SpecFormat.Load(request.SpecPath);
        foreach (var path in spec.Paths)
            if (RootFs.Problem(path) is { } why)
                throw new VzException(BundleErrors.BadPath, $"{request.SpecPath}: {why}, refusing it: {path}", "list paths as they are inside the root, without '..'");
        var args = request.Cmd ?? spec.Command
            ?? throw new VzException(BundleErrors.InvalidConfig, $"{request.SpecPath}: the spec records no command", "give one with --cmd");
        var resolved = SpecResolver.Resolve(spec, request.Root, close: !request.NoClosure);
        if (request.Strict && resolved.Missing.Count > 0)
            throw new VzException(BundleErrors.PathNotFound,
                $"{request.SpecPath}: {resolved.Missing.Count} listed path(s) not in {request.Root}: {string.Join(", ", resolved.Missing.Take(5))}{(resolved.Missing.Count > 5 ? ", ..." : "")}",
                "fix the spec (vzbuild spec check), or bundle without --strict to leave them out with a warning");
        foreach (var path in resolved.Missing)
            reporter.Warn($"{path}: listed in {request.SpecPath} but not in {request.Root}; left out");
        foreach (var w in resolved.Warnings)
            reporter.Warn(w);

        var outDir = Path.GetFullPath(request.OutDir);
        var compression = request.Compression ?? (request.PackFile is null ? null : Packer.FromFileName(request.PackFile)) ?? Tar.Compression.Zstd;
        var packFile = !request.Pack ? null : Path.GetFullPath(request.PackFile ?? outDir.TrimEnd('/') + Packer.Extension(compression));
        if (packFile is not null && Directory.Exists(packFile))
            throw new VzException(BundleErrors.CannotWriteArchive, $"{packFile}: is a directory; --pack names the tarball to write");
        // The tarball is packed from the staged bundle, beside its destination, before the old
        // bundle is replaced: a pack that fails (an unwritable place, a full disk) replaces nothing.
        var stagedPack = packFile is null ? null : packFile + ".vz-staged";
        try
        {
            var result = BundleBuilder.Build(new BundleRequest
            {
                Paths = resolved.Paths,
                SourceRoot = request.Root,
                OutDir = request.OutDir,
                Runtime = new RuntimeOptions
                {
                    Args = args,
                    Env = request.Env,
                    Cwd = request.Cwd ?? spec.WorkingDirectory ?? "/",
                    Hostname = request.Name,
                    Ports = request.Ports,
                    // The recorded program belongs to the recorded command only.
                    Executable = request.Cmd is null ? spec.Executable : null,
                },
                User = request.User,
                Force = request.Force,
                Epoch = request.Epoch,
                LoaderCache = resolved.NeedsLoaderCache,
            }, stagedPack is null ? null : staged => BundleBuilder.Pack(staged, stagedPack, compression, request.Epoch));
            foreach (var w in result.Rootfs.Warnings)
                reporter.Warn(w);
            if (packFile is null)
                return new SpecBundleResult(result, null, null);
            try
            {
                File.Move(stagedPack!, packFile, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VzException(BundleErrors.CannotWriteArchive, $"{packFile}: cannot write archive: {e.Message}");
            }
            return new SpecBundleResult(result, packFile, compression);
        }
        finally
        {
            if (stagedPack is not null)
                Packer.DeleteIfPresent(stagedPack);
        }
    }
}
