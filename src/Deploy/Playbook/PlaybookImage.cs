using Vz.Deploy.Push;
using Vz.Oci;

namespace Vz.Deploy.Playbook;

/// <summary>
/// An image archive as the playbook ships it: its name, the sha256 and size of the archive (the
/// node's store key, as push writes it), the image ID podman gives it once loaded (the config
/// digest), and where the gzip copy goes in the role.
/// </summary>
public sealed record PlaybookImage(string Image, string Archive, string Sha256, long Size, string Id)
{
    public string StoreName => ImageArchive.StoreNameOf(Image);

    /// <summary>The compressed archive, relative to the role's files/ directory.</summary>
    public string Shipped => $"images/{StoreName}/sha256-{Sha256}.tar.gz";

    /// <summary>Reads an archive on the operator's machine (hashes it whole).</summary>
    public static PlaybookImage Read(string archivePath)
    {
        var archive = ImageArchive.Open(archivePath);
        var info = OciArchive.ReadIndex(archivePath);
        var manifest = OciJson.Deserialize<ImageManifest>(OciArchive.ReadMember(archivePath, OciArchive.BlobPath(info.Manifest.Digest)),
            $"{archivePath}: manifest");
        var id = manifest.Config.Digest.StartsWith("sha256:", StringComparison.Ordinal) ? manifest.Config.Digest[7..] : manifest.Config.Digest;
        return new PlaybookImage(archive.Name, archive.Path, archive.Sha256, archive.Size, id);
    }
}
