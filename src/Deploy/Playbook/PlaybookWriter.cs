using System.IO.Compression;

namespace Vz.Deploy.Playbook;

/// <summary>
/// Puts a generated playbook in a directory: deploy.yaml and roles/vz_pod, whose generated files are
/// replaced whole (a file of an older generation that is no longer generated is removed), and the
/// image archives gzip-compressed into roles/vz_pod/files/images/ (an archive already there under
/// its sha256 is kept; one no pod uses any more is removed). It never touches a deploy.yaml or a
/// role it did not write (VZ4602).
/// </summary>
public static class PlaybookWriter
{
    public sealed record Written(int Files, IReadOnlyList<string> Compressed, IReadOnlyList<string> Kept);

    public static Written Write(GeneratedPlaybook playbook, string dir)
    {
        var role = Path.Combine(dir, PlaybookGenerator.Role);
        Refuse(Path.Combine(dir, "deploy.yaml"));
        Refuse(Path.Combine(role, "vars", "main.yml"));
        if (Directory.Exists(role) && !File.Exists(Path.Combine(role, "vars", "main.yml")))
            throw new VzException(PlaybookErrors.NotOurRole, $"{role} exists and was not written by vzbuild playbook", "move it away, or choose another directory with -o DIR");

        var images = Path.Combine(role, "files", "images");
        if (Directory.Exists(role))
            foreach (var f in Directory.GetFiles(role, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(images + "/", StringComparison.Ordinal)))
                File.Delete(f);
        foreach (var f in playbook.Files)
        {
            var path = Path.Combine(dir, f.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, f.Text);
        }

        var compressed = new List<string>();
        var kept = new List<string>();
        var wanted = playbook.Images.Select(i => Path.GetFullPath(Path.Combine(role, "files", i.Shipped))).ToHashSet(StringComparer.Ordinal);
        foreach (var image in playbook.Images)
        {
            var path = Path.Combine(role, "files", image.Shipped);
            if (File.Exists(path))
            {
                kept.Add(image.Shipped);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Gzip(image.Archive, path);
            compressed.Add(image.Shipped);
        }
        if (Directory.Exists(images))
            foreach (var f in Directory.GetFiles(images, "*", SearchOption.AllDirectories).Where(f => !wanted.Contains(Path.GetFullPath(f))))
                File.Delete(f);
        foreach (var d in Directory.GetDirectories(role, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            if (!Directory.EnumerateFileSystemEntries(d).Any())
                Directory.Delete(d);
        return new Written(playbook.Files.Count, compressed, kept);
    }

    /// <summary>A file of that name that is not vzbuild playbook's stops the write before anything changes.</summary>
    static void Refuse(string path)
    {
        if (File.Exists(path) && !File.ReadLines(path).Take(3).Any(l => l.Contains(PlaybookGenerator.Marker, StringComparison.Ordinal)))
            throw new VzException(PlaybookErrors.NotOurRole, $"{path} exists and was not written by vzbuild playbook", "move it away, or choose another directory with -o DIR");
    }

    /// <summary>gzip (RFC 1952) of the archive: written to a temporary name and renamed, so a present file is a whole one.</summary>
    static void Gzip(string from, string to)
    {
        var tmp = to + ".tmp";
        using (var src = File.OpenRead(from))
        using (var dst = File.Create(tmp))
        using (var gz = new GZipStream(dst, CompressionLevel.Optimal))
            src.CopyTo(gz);
        File.Move(tmp, to, overwrite: true);
    }
}
