using Vz.Bundle;
using Vz.Bundle.Minify;
using Vz.Oci;
using Vz.Trace;
using Vz.Trace.Spec;

namespace Vz.Cli.Json;

/// <summary>
/// The --json documents of the build commands (trace, minify, bundle, image, spec check), from
/// their libraries' results: pure, value in, text out. Shapes: README "JSON output".
/// </summary>
internal static class BuildJson
{
    public static string Trace(SpecTraceResult r, string specPath, int exitCode) => CliJson.Document(new
    {
        exitCode,
        programExitCode = r.ExitCode,
        spec = Path.GetFullPath(specPath),
        paths = r.Spec.Paths.Count,
        traced = r.Traced,
    });

    public static string Minify(MinifyResult r, ImageReference name, string digest, int exitCode) => CliJson.Document(new
    {
        exitCode,
        programExitCode = r.ExitCode,
        spec = Path.GetFullPath(r.SpecPath),
        paths = r.Paths,
        bundle = Path.GetFullPath(r.BundleDir),
        image = Path.GetFullPath(r.ImagePath),
        name = name.FullName,
        digest,
        sourceBytes = r.SourceBytes,
        imageBytes = r.ImageBytes,
    });

    public static string Bundle(SpecBundleResult r, long? packBytes) => CliJson.Document(new
    {
        exitCode = ExitCodes.Ok,
        bundle = Path.GetFullPath(r.Bundle.BundleDir),
        config = Path.GetFullPath(r.Bundle.ConfigPath),
        rootfs = new
        {
            files = r.Bundle.Rootfs.Files,
            directories = r.Bundle.Rootfs.Directories,
            symlinks = r.Bundle.Rootfs.Symlinks,
            hardLinks = r.Bundle.Rootfs.HardLinks,
            bytes = r.Bundle.Rootfs.Bytes,
        },
        warnings = r.Bundle.Rootfs.Warnings,
        pack = r.PackFile is null ? null : new
        {
            file = Path.GetFullPath(r.PackFile),
            bytes = packBytes,
            compression = r.Compression?.ToString().ToLowerInvariant(),
        },
    });

    public static string Image(BuiltImage image, string archive, long archiveBytes) => CliJson.Document(new
    {
        exitCode = ExitCodes.Ok,
        image = Path.GetFullPath(archive),
        name = image.Reference.FullName,
        digest = image.ManifestDescriptor.Digest,
        config = image.ConfigDescriptor.Digest,
        layer = new { digest = image.Layer.Descriptor.Digest, bytes = image.Layer.Descriptor.Size },
        bytes = archiveBytes,
    });

    public static string SpecCheck(SpecCheckResult r, string specFile, string root, int exitCode) => CliJson.Document(new
    {
        exitCode,
        ok = r.Ok,
        spec = Path.GetFullPath(specFile),
        root = Path.GetFullPath(root),
        missing = r.MissingPaths.Select(m => new { path = m.Path, line = m.Line }),
        emptyGlobs = r.EmptyGlobs.Select(g => new { line = g.Line, rule = $"{(g.Include ? '+' : '-')} {g.Glob}" }),
    });
}
