using System.Security.Cryptography;
using Vz.Bundle.Fs;
using Vz.Bundle.Image;
using Vz.Bundle.Runtime;
using Vz.Oci;
using Vz.Oci.Tar;
using VzTarEntry = Vz.Oci.Tar.TarEntry;

namespace Vz.Bundle.Tests;

/// <summary>
/// The writers' output is part of vz's contract: nodes keep images and receive deltas against
/// them, so the same input must give the same bytes in every vz version. These tests pin the
/// bytes to committed fixtures (fixtures/bundle/). Regenerate only on purpose:
/// VZ_REGENERATE_FIXTURES=1 dotnet test tests/Bundle.Tests --filter GoldenTests
/// </summary>
public class GoldenTests
{
    static string Fixtures
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "vz.slnx")))
                    return Path.Combine(d.FullName, "fixtures", "bundle");
            throw new InvalidOperationException("repository root (vz.slnx) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every kind of entry and both reasons for a pax header (long name, big uid).</summary>
    internal static IReadOnlyList<VzTarEntry> Entries() =>
    [
        new("bin", TarEntryKind.Symlink, Modes.Parse("777"), 0, 0, 1_700_000_000) { LinkName = "usr/bin" },
        new("dev/", TarEntryKind.Directory, Modes.O755, 0, 0, 1_700_000_000),
        new("dev/null", TarEntryKind.CharDevice, Modes.Parse("666"), 0, 0, 1_700_000_000) { DevMajor = 1, DevMinor = 3 },
        VzTarEntry.ForDirectory("etc/", 1_700_000_000),
        VzTarEntry.ForData("etc/hostname", "vz\n"u8.ToArray(), 1_700_000_000),
        VzTarEntry.ForData("etc/" + new string('l', 110), "long name\n"u8.ToArray(), 1_700_000_000) with { Uid = 3_000_000 },
        new("etc/hostname.again", TarEntryKind.HardLink, Modes.O644, 0, 0, 1_700_000_000) { LinkName = "etc/hostname" },
        VzTarEntry.ForData("usr/bin/tool", "#!/bin/sh\necho tool\n"u8.ToArray(), 1_800_000_000, Modes.Parse("4755")) with { Uid = 1234, Gid = 5678 },
    ];

    const long Clamp = 1_750_000_000;

    static byte[] CanonicalTar()
    {
        var ms = new MemoryStream();
        TarStreamWriter.WriteAll(Entries(), ms, Clamp);
        return ms.ToArray();
    }

    static void Compare(string fixture, byte[] actual)
    {
        var path = Path.Combine(Fixtures, fixture);
        if (Environment.GetEnvironmentVariable("VZ_REGENERATE_FIXTURES") == "1")
            File.WriteAllBytes(path, actual);
        Assert.True(File.Exists(path), $"missing fixture {path}");
        Assert.Equal(File.ReadAllBytes(path), actual);
    }

    [Fact]
    public void TarWriterOutputMatchesTheCommittedCanonicalTar() => Compare("canonical.tar", CanonicalTar());

    [Fact]
    public void CanonicalTarHasTheDigestItsReadmeStates()
    {
        var readme = File.ReadAllText(Path.Combine(Fixtures, "README.md"));
        Assert.Contains("sha256:" + Convert.ToHexStringLower(SHA256.HashData(CanonicalTar())), readme);
    }

    [Fact]
    public void ImageOfTheCanonicalLayerMatchesTheCommittedManifest()
    {
        var entries = Entries();
        var layer = TarLayer.Of(entries, Clamp);
        var runtime = RuntimeConfigFactory.Create(new RuntimeOptions { Args = ["/usr/bin/tool"], Ports = ["8080"] });
        var image = ImageBuilder.Assemble(runtime, layer, new ImageOptions
        {
            Reference = ImageReference.Parse("localhost/vz-canonical:1"), Epoch = Clamp, Architecture = "amd64",
        });
        Compare("canonical-manifest.json", image.ManifestBytes);
        Compare("canonical-config.json", image.ConfigBytes);
    }
}
