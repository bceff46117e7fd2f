using System.Runtime.InteropServices;
using Vz.Bundle.Runtime;
using Vz.Bundle.Tar;
using Vz.Oci;

namespace Vz.Bundle.Image;

public sealed record ImageOptions
{
    public required ImageReference Reference { get; init; }
    /// <summary>Ports to expose in addition to those the bundle's config.json records.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
    /// <summary>Layer mtimes are clamped to it and "created" is it: SOURCE_DATE_EPOCH, or 0.</summary>
    public long Epoch { get; init; }
    /// <summary>GOARCH-style name; default: this machine's.</summary>
    public string? Architecture { get; init; }
}

/// <summary>Builds an OCI image from a runtime bundle. Reads the bundle; writes nothing.</summary>
public static class ImageBuilder
{
    /// <summary>
    /// The image of a bundle: its config.json validated as `vzbuild bundle` validates, and only its
    /// rootfs, a directory inside it (<see cref="BundleDirectory.Open"/>), in the layer.
    /// </summary>
    public static BuiltImage Build(string bundleDir, ImageOptions options)
    {
        var bundle = BundleDirectory.Open(bundleDir);
        var entries = TreeScanner.Scan(bundle.RootfsDir);
        return Assemble(bundle.Config, TarLayer.Of(entries, options.Epoch), options);
    }

    /// <summary>Everything after the layer is hashed: pure.</summary>
    public static BuiltImage Assemble(RuntimeConfig runtime, TarLayer layer, ImageOptions options)
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(options.Epoch).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
        var config = ImageConfigConversion.FromRuntime(runtime, options.Ports, options.Architecture ?? HostArchitecture(),
            created, layer.Descriptor.Digest);
        var configBytes = OciJson.Serialize(config);
        var configDesc = OciJson.Describe(MediaTypes.Config, configBytes);
        var manifest = new ImageManifest(configDesc, [layer.Descriptor]);
        var manifestBytes = OciJson.Serialize(manifest);
        var manifestDesc = OciJson.Describe(MediaTypes.Manifest, manifestBytes);
        var indexEntry = manifestDesc with
        {
            Annotations = OciJson.Sorted(new Dictionary<string, string>
            {
                [Annotations.ContainerdImageName] = options.Reference.FullName,
                [Annotations.RefName] = options.Reference.Tag,
            }),
        };
        var index = new ImageIndex([indexEntry]);
        return new BuiltImage(options.Reference, layer, config, configBytes, configDesc,
            manifest, manifestBytes, manifestDesc, index, OciJson.Serialize(index));
    }

    public static string HostArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };
}

/// <summary>Runtime config to image config: value in, value out (the inverse of image-spec conversion.md).</summary>
public static class ImageConfigConversion
{
    public static ImageConfig FromRuntime(RuntimeConfig runtime, IEnumerable<string> extraPorts, string architecture, string created, string diffId)
    {
        var p = runtime.Process;
        var recorded = runtime.Annotations?.GetValueOrDefault(RuntimeConfigFactory.ExposedPortsAnnotation)?
            .Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var ports = recorded.Concat(extraPorts).Select(RuntimeConfigFactory.NormalizePort).Distinct().ToArray();
        return new ImageConfig
        {
            Created = created,
            Architecture = architecture,
            Config = new ImageRunConfig
            {
                User = $"{p.User.Uid}:{p.User.Gid}",
                ExposedPorts = ports.Length == 0 ? null : OciJson.Sorted(ports.Select(x => KeyValuePair.Create(x, new EmptyObject()))),
                Env = p.Env,
                // The whole command is the entrypoint's default arguments: `podman run IMAGE other args` replaces it.
                Cmd = p.Args,
                WorkingDir = p.Cwd,
            },
            Rootfs = new ImageRootfs([diffId]),
            History = [new ImageHistory(created, "vzbuild bundle")],
        };
    }
}
