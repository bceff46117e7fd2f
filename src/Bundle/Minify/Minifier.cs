using Vz.Bundle.Image;
using Vz.Bundle.Runtime;
using Vz.Oci;
using Vz.Trace.Spec;
using Vz.Trace.Strace;

namespace Vz.Bundle.Minify;

/// <summary>What `vzbuild minify` was asked to do.</summary>
public sealed record MinifyRequest
{
    /// <summary>An image archive, a podman image name, or a rootfs directory.</summary>
    public required string Source { get; init; }
    /// <summary>The program the image exists to run; it becomes the image's command.</summary>
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>Gets spec, bundle/ and image.oci.tar.</summary>
    public required string OutDir { get; init; }
    public required ImageReference Reference { get; init; }
    /// <summary>More commands traced into the same spec, for code paths the main command alone does not take.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Exercises { get; init; } = [];
    public IReadOnlyList<string> Keep { get; init; } = [];
    public IReadOnlyList<string> Drop { get; init; } = [];
    /// <summary>A hand-tuned spec whose paths and '+'/'-' lines are added to the traced ones.</summary>
    public Spec? Rules { get; init; }
    public IReadOnlyList<string> Ports { get; init; } = [];
    public bool WithStat { get; init; }
    /// <summary>Trace with the host's network; otherwise the program gets a network namespace with only loopback.</summary>
    public bool HostNetwork { get; init; }
    public long Epoch { get; init; }
}

public sealed record MinifyResult(
    int ExitCode, string SpecPath, string BundleDir, string ImagePath, long SourceBytes, long ImageBytes, int Paths);

/// <summary>
/// Minifies a container: unpack the source, run the command traced inside it
/// (strace on the host, the program in its own namespaces chrooted into the unpacked rootfs), close the
/// traced paths over libraries and links, and write the spec, bundle and image.
/// </summary>
public static class Minifier
{
    public static async Task<MinifyResult> RunAsync(MinifyRequest request, IReporter reporter, CancellationToken ct = default)
    {
        RefuseEscapes(request);
        var outDir = Path.GetFullPath(request.OutDir);
        RefuseOverlap(request.Source, outDir);
        Directory.CreateDirectory(outDir);
        var work = Path.Combine(outDir, ".work");
        if (TraceMounts.Under(work) is { Count: > 0 } stale)
            throw new VzException(MinifyErrors.StaleMounts, $"{work}: an earlier run left {stale[0]} mounted; unmount it (umount -R -l) first");
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            var source = await ImageSource.UnpackAsync(request.Source, work, reporter, ct);
            // The program runs in an overlay of the image: what it writes lands in scratch, and the
            // spec resolves in the image as it was, so what the traced run made (a pid file, a cache
            // it filled, a log) never reaches the bundle, and what it changed arrives unchanged.
            var rootfs = Path.Combine(work, "rootfs");
            using var view = Overlay(source, work, rootfs, reporter);
            if (view is null)
                rootfs = source.RootfsDir;
            var env = source.Config.Env.Count > 0 ? source.Config.Env : ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
            var cwd = source.Config.WorkingDir ?? "/";

            var traced = new List<string>();
            TraceMounts.PrepareMountPoints(rootfs);
            var main = await TraceInto(traced, request.Command, rootfs, env, request, reporter, ct);
            foreach (var exercise in request.Exercises)
            {
                var code = (await TraceInto(traced, exercise, rootfs, env, request, reporter, ct)).ExitCode;
                if (code != 0)
                    reporter.Warn($"exercise {string.Join(' ', exercise)} exited with {code}");
            }

            // --keep, --drop and the --rules file join the traced paths as one spec, resolved as
            // `vzbuild bundle` would resolve it: the same spec and root give the same rootfs.
            var rules = new Spec
            {
                Paths = request.Rules?.Paths ?? [],
                Rules = [.. request.Keep.Select(g => new SpecRule(true, g, 0)), .. request.Drop.Select(g => new SpecRule(false, g, 0)), .. request.Rules?.Rules ?? []],
            };
            var command = new TracedCommand(request.Command, cwd, main.Result.Executable);
            foreach (var w in TraceSpec.CommandWarnings(command))
                reporter.Warn(w);
            var (spec, resolved) = TraceSpec.Build(traced, command, rules, source.RootfsDir);
            foreach (var w in resolved.Warnings)
                reporter.Warn(w);
            var specPath = Path.Combine(outDir, "spec");
            SpecFormat.Save(spec, specPath);

            var bundleDir = Path.Combine(outDir, "bundle");
            BundleBuilder.Build(new BundleRequest
            {
                Paths = resolved.Paths,
                SourceRoot = source.RootfsDir,
                OutDir = bundleDir,
                Force = true,
                Epoch = request.Epoch,
                LoaderCache = resolved.NeedsLoaderCache,
                User = source.Config.User,
                Runtime = new RuntimeOptions
                {
                    Args = request.Command,
                    Env = env,
                    Cwd = cwd,
                    Hostname = request.Reference.Repository.Split('/')[^1],
                    Ports = request.Ports,
                    Executable = spec.Executable,
                },
            });
            var image = ImageBuilder.Build(bundleDir, new ImageOptions { Reference = request.Reference, Epoch = request.Epoch });
            var imagePath = Path.Combine(outDir, "image.oci.tar");
            OciArchive.Write(image, imagePath);
            return new MinifyResult(main.ExitCode, specPath, bundleDir, imagePath, source.SizeBytes, new FileInfo(imagePath).Length, resolved.Paths.Count);
        }
        finally
        {
            // Never recurse into a directory that still has the user's rootfs mounted in it.
            if (TraceMounts.Under(work) is { Count: > 0 } left)
                reporter.Warn($"{work}: still mounted at {left[0]}; left in place");
            else
                Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// The overlay the program is traced in. A user's directory must never be written, so a failed
    /// mount is an error; an image vz unpacked itself may be traced in place instead (null).
    /// </summary>
    static TraceMounts? Overlay(UnpackedSource source, string work, string view, IReporter reporter)
    {
        try
        {
            return TraceMounts.Overlay(source.RootfsDir, Path.Combine(work, "overlay"), view);
        }
        catch (VzException e) when (!source.IsUserDirectory && (e.Code == MinifyErrors.MountFailed.Id || e.Code == MinifyErrors.UnusableRootfsPath.Id))
        {
            reporter.Warn($"{e.Message}; tracing in the unpacked image itself, so files the traced run writes may reach the bundle");
            return null;
        }
    }

    /// <summary>Paths and globs name places inside the image: one with ".." is an error, not a silent miss.</summary>
    static void RefuseEscapes(MinifyRequest request)
    {
        foreach (var glob in request.Keep)
            ArchivePath.Components(glob, "--keep");
        foreach (var glob in request.Drop)
            ArchivePath.Components(glob, "--drop");
        foreach (var path in request.Rules?.Paths ?? [])
            ArchivePath.Components(path, "--rules");
        foreach (var rule in request.Rules?.Rules ?? [])
            ArchivePath.Components(rule.Glob, rule.Line > 0 ? $"--rules line {rule.Line}" : "--rules");
    }

    /// <summary>
    /// OUT gets spec, bundle/ and image.oci.tar, and OUT/.work is emptied first: OUT must be a
    /// directory that is not inside a source rootfs, and the source must not lie in .work or bundle/,
    /// which are deleted before or while it is read. Compared as the kernel resolves the paths, so a
    /// symlink cannot hide the overlap.
    /// </summary>
    static void RefuseOverlap(string source, string outDir)
    {
        var host = new Vz.Fs.RootFs("/");
        string Canonical(string path) => host.Resolve(Path.GetFullPath(path)).Path;
        static bool Within(string path, string dir) => path == dir || path.StartsWith(dir.TrimEnd('/') + "/", StringComparison.Ordinal);
        var output = Canonical(outDir);
        if (File.Exists(output))
            throw new VzException(MinifyErrors.OutputOverlapsSource,
                $"-o {outDir}: is a file{(Canonical(source) == output ? " (the source archive)" : "")}; minify writes a directory there",
                "name a new directory with -o, e.g. -o app.min");
        if (!File.Exists(source) && !Directory.Exists(source))
            return; // an image in podman storage
        var from = Canonical(source);
        if (Directory.Exists(from) && Within(output, from))
            throw new VzException(MinifyErrors.OutputOverlapsSource, $"-o {outDir}: lies in the source rootfs {source}, which minify must not write",
                "name a directory outside the source with -o");
        foreach (var part in new[] { ".work", "bundle" })
            if (Within(from, Path.Combine(output, part)))
                throw new VzException(MinifyErrors.OutputOverlapsSource, $"--from {source}: lies in {Path.Combine(outDir, part)}, which minify replaces",
                    "copy the source elsewhere, or name another directory with -o");
    }

    static async Task<TraceRun> TraceInto(List<string> into, IReadOnlyList<string> command, string rootfs,
        IReadOnlyList<string> env, MinifyRequest request, IReporter reporter, CancellationToken ct)
    {
        reporter.Info($"tracing {string.Join(' ', command)} inside the source image");
        var run = await Tracer.RunAsync(new TraceOptions
        {
            Command = command,
            Root = rootfs,
            WithStat = request.WithStat,
            HostNetwork = request.HostNetwork,
            Environment = env,
        }, reporter, ct);
        var (paths, skipped) = TraceSpec.Writable(run.Result);
        foreach (var w in skipped)
            reporter.Warn(w);
        into.AddRange(paths);
        return run;
    }
}
