using Vz.Oci.Tar;

namespace Vz.Oci.Tests;

/// <summary>Small images built in code: one layer of given files, named as vzbuild image names them.</summary>
static class Images
{
    public static BuiltImage Build(string name, params (string Path, string Text)[] files)
    {
        var reference = ImageReference.Parse(name);
        var layer = TarLayer.Of(files.Select(f => TarEntry.ForData(f.Path, System.Text.Encoding.UTF8.GetBytes(f.Text), 0)).ToList(), 0);
        var config = new ImageConfig
        {
            Architecture = "amd64",
            Config = new ImageRunConfig { Cmd = ["/bin/app"], Env = ["A=1"], WorkingDir = "/srv" },
            Rootfs = new ImageRootfs([layer.Descriptor.Digest]),
        };
        var configBytes = OciJson.Serialize(config);
        var configDesc = OciJson.Describe(MediaTypes.Config, configBytes);
        var manifest = new ImageManifest(configDesc, [layer.Descriptor]);
        var manifestBytes = OciJson.Serialize(manifest);
        var manifestDesc = OciJson.Describe(MediaTypes.Manifest, manifestBytes);
        var index = new ImageIndex([manifestDesc with
        {
            Annotations = OciJson.Sorted(new Dictionary<string, string>
            {
                [Annotations.ContainerdImageName] = reference.FullName,
                [Annotations.RefName] = reference.Tag,
            }),
        }]);
        return new BuiltImage(reference, layer, config, configBytes, configDesc, manifest, manifestBytes, manifestDesc, index, OciJson.Serialize(index));
    }

    /// <summary>A tar of the given members, written with vz's tar writer.</summary>
    public static byte[] Tar(params (string Name, string Text)[] members)
    {
        var ms = new MemoryStream();
        TarStreamWriter.WriteAll(members.Select(m => TarEntry.ForData(m.Name, System.Text.Encoding.UTF8.GetBytes(m.Text), 0)), ms, 0);
        return ms.ToArray();
    }
}
