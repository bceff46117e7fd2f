using System.CommandLine;
using Vz.Bundle;
using Vz.Bundle.Image;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Oci;

namespace Vz.Cli.Commands;

/// <summary>What `vzbuild image` was asked to do.</summary>
internal sealed record ImageCommandOptions(string BundleDir, ImageReference Reference, string OutFile, IReadOnlyList<string> Ports, long Epoch, bool Json = false);

internal static class ImageCommand
{
    public static VzCommand Create()
    {
        var bundle = new Argument<string>("bundle") { Description = "A bundle directory made by vzbuild bundle" };
        var tag = new Option<string>("--tag", "-t") { Description = "Image name, e.g. localhost/web:1.0", HelpName = "name:tag", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "OCI archive to write (default: BUNDLE.oci.tar)", HelpName = "file" };
        var port = new Option<string[]>("--port", "-p") { Description = "Port to expose besides those the bundle records (repeatable)", HelpName = "port" };
        var json = new Option<bool>("--json") { Description = "Print the archive, name and digests as JSON on stdout instead of the digest alone (shape: README, JSON output)" };

        var cmd = new VzCommand("image", "Write an OCI image archive of a bundle, for podman load",
            "Write an OCI image archive of a bundle: one uncompressed layer (so deltas between versions stay small) that podman load, " +
            "skopeo and umoci read. Building twice gives the same digest; the manifest digest is printed on stdout.")
        {
            Examples =
            [
                new("vzbuild image python.bundle --tag localhost/app:1 -o app-1.oci.tar && podman load -i app-1.oci.tar"),
                new("digest=$(vzbuild image app.bundle -t localhost/app:2)", "the manifest digest alone on stdout"),
            ],
        };
        cmd.Arguments.Add(bundle);
        cmd.Options.Add(tag);
        cmd.Options.Add(output);
        cmd.Options.Add(port);
        cmd.Options.Add(json);
        CommandAction.Set(cmd, parse =>
        {
            var dir = parse.GetValue(bundle)!;
            return Run(new ImageCommandOptions(
                dir, ImageReference.Parse(parse.GetValue(tag)!),
                parse.GetValue(output) ?? Path.GetFullPath(dir).TrimEnd('/') + ".oci.tar",
                parse.GetValue(port) ?? [],
                Reproducible.Epoch(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH")),
                parse.GetValue(json)), CommandAction.Reporter);
        });
        return cmd;
    }

    internal static int Run(ImageCommandOptions o, IReporter reporter)
    {
        var image = ImageBuilder.Build(o.BundleDir, new ImageOptions { Reference = o.Reference, Ports = o.Ports, Epoch = o.Epoch });
        OciArchive.Write(image, o.OutFile);
        reporter.Info($"wrote {o.OutFile}: {o.Reference.FullName}, manifest {image.ManifestDescriptor.Digest}, layer {image.Layer.Descriptor.Size} bytes");
        Console.Out.WriteLine(o.Json ? BuildJson.Image(image, o.OutFile, new FileInfo(o.OutFile).Length) : image.ManifestDescriptor.Digest);
        return ExitCodes.Ok;
    }
}
