using System.Security.Cryptography;
using Vz.Oci;

namespace Vz.Deploy.Push;

/// <summary>An OCI image archive (a plain tar of an OCI layout) on the master, with its name and digest.</summary>
public sealed record ImageArchive(string Path, string Name, string Sha256, long Size)
{
    /// <summary>The node directory name: the repository without tag or digest, '/' made '_'.</summary>
    public string StoreName => StoreNameOf(Name);

    public static ImageArchive Open(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new VzException(DeployErrors.NotAnImageArchive, $"image archive {path} does not exist");
        // A directory, a device or a pipe is refused before it is hashed (/dev/zero would be hashed for ever).
        if (new Vz.Fs.RootFs("/").Resolve(System.IO.Path.GetFullPath(path)) is not { Ok: true, Stat.Type: Vz.Fs.UnixFileType.Regular })
            throw new VzException(DeployErrors.NotAnImageArchive, $"image archive {path} is not a regular file");
        string name;
        using (var s = File.OpenRead(path))
            name = ReadName(s, path);
        return new ImageArchive(System.IO.Path.GetFullPath(path), name, Sha256Of(path), new FileInfo(path).Length);
    }

    /// <summary>
    /// The image name recorded in index.json (<see cref="OciArchiveInfo.Name"/>: the full name, which may
    /// carry a digest). Oci's "not an archive" errors become VZ3020, push's code for a bad archive to push.
    /// </summary>
    public static string ReadName(Stream tar, string source)
    {
        OciArchiveInfo info;
        try
        {
            info = OciArchive.ReadIndex(tar, source);
        }
        catch (VzException e) when (e.Error == OciErrors.NotAnArchive || e.Error == OciErrors.BadJson)
        {
            throw new VzException(DeployErrors.NotAnImageArchive, e.Message, e.Hint, e);
        }
        return info.Name ?? throw new VzException(DeployErrors.NotAnImageArchive, $"{source}: index.json names no image (no org.opencontainers.image.ref.name annotation)");
    }

    public static string StoreNameOf(string imageName)
    {
        var repo = imageName;
        var at = repo.IndexOf('@');
        if (at >= 0)
            repo = repo[..at];
        var colon = repo.LastIndexOf(':');
        if (colon > repo.LastIndexOf('/'))
            repo = repo[..colon];
        if (repo.StartsWith("localhost/"))
            repo = repo["localhost/".Length..];
        return new string(repo.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()).TrimStart('.');
    }

    public static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>SHA-256 of the first count bytes, to check a partial upload against.</summary>
    public static string PrefixSha256(string path, long count)
    {
        using var s = File.OpenRead(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = new byte[1 << 16];
        while (count > 0)
        {
            var n = s.Read(buf, 0, (int)Math.Min(buf.Length, count));
            if (n == 0)
                break;
            sha.AppendData(buf, 0, n);
            count -= n;
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
