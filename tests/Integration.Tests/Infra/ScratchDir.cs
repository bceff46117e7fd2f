namespace Vz.Integration.Tests.Infra;

/// <summary>A temp directory /tmp/vz-PART-*, removed (with whatever the test left in it) on Dispose.</summary>
public sealed class ScratchDir : IDisposable
{
    public ScratchDir(string part) => Path = Directory.CreateTempSubdirectory($"vz-{part}-").FullName;

    public string Path { get; }

    /// <summary>The last part of the directory name: unique, lowercase-safe, for container and image names.</summary>
    public string Id => System.IO.Path.GetFileName(Path).ToLowerInvariant();

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Write(string relative, string content)
    {
        var p = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
        return p;
    }

    /// <summary>Every path under a directory, relative and sorted, without entering symlinked directories.</summary>
    public static string[] Listing(string dir)
    {
        // Directory enumeration with RecurseSubdirectories follows symlinked directories; this walk does not.
        var found = new List<string>();
        void Walk(DirectoryInfo d)
        {
            foreach (var e in d.EnumerateFileSystemInfos())
            {
                found.Add(System.IO.Path.GetRelativePath(dir, e.FullName));
                if (e is DirectoryInfo sub && sub.LinkTarget is null)
                    Walk(sub);
            }
        }
        if (Directory.Exists(dir))
            Walk(new DirectoryInfo(dir));
        return found.Order(StringComparer.Ordinal).ToArray();
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
