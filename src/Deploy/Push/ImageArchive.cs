using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Vz.Bundle.Image;

namespace Vz.Deploy.Push;

/// <summary>An OCI image archive (a plain tar of an OCI layout) on the master, with its name and digest.</summary>
public sealed record ImageArchive(string Path, string Name, string Sha256, long Size)
{
    /// <summary>The node directory name: the repository without tag or digest, '/' made '_'.</summary>
    public string StoreName => StoreNameOf(Name);

    public static ImageArchive Open(string path)
    {
        if (!File.Exists(path))
            throw new VzException("VZ3020", $"image archive {path} does not exist");
        string name;
        using (var s = File.OpenRead(path))
            name = ReadName(s, path);
        return new ImageArchive(System.IO.Path.GetFullPath(path), name, Sha256Of(path), new FileInfo(path).Length);
    }

    /// <summary>
    /// Reads the image name from index.json: the first manifest annotated io.containerd.image.name or
    /// org.opencontainers.image.ref.name (image-spec annotations.md). Not <see cref="OciArchive.ReadIndex"/>:
    /// podman save puts the full name in ref.name, which ReadIndex reads as a bare tag, and a pushed
    /// name may carry a digest that <see cref="ImageReference.Parse"/> rejects.
    /// </summary>
    public static string ReadName(Stream tar, string source)
    {
        try
        {
            using var reader = new TarReader(tar);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name.TrimStart('.', '/') != "index.json" || entry.DataStream is null)
                    continue;
                var index = JsonSerializer.Deserialize<ImageIndex>(entry.DataStream);
                return (index?.Manifests ?? []).Select(m => m.Annotations).OfType<IReadOnlyDictionary<string, string>>()
                    .SelectMany(a => new[] { a.GetValueOrDefault(Annotations.ContainerdImageName), a.GetValueOrDefault(Annotations.RefName) })
                    .FirstOrDefault(n => n is { Length: > 0 })
                    ?? throw new VzException("VZ3020", $"{source}: index.json names no image (no org.opencontainers.image.ref.name annotation)");
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException or EndOfStreamException)
        {
            throw new VzException("VZ3020", $"{source}: not an OCI image archive: {e.Message}");
        }
        throw new VzException("VZ3020", $"{source}: no index.json, not an OCI image archive", "make one with vzbuild image or podman save --format oci-archive");
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
