using Vz.Bundle.Fs;

namespace Vz.Bundle.Tests;

/// <summary>A scratch directory under /tmp/vz-bundle-*, removed when the test ends.</summary>
public sealed class TestTree : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("vz-bundle-").FullName;

    public string this[string relative] => Path.Combine(Dir, relative.TrimStart('/'));

    /// <summary>Writes a file (creating parents) with the given mode, owner and mtime.</summary>
    public string File(string relative, string content, int mode = Modes.O644, uint uid = 0, uint gid = 0, long mtime = 1_600_000_000)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        Posix.LChown(path, uid, gid);
        Posix.Chmod(path, mode);
        Posix.SetMTime(path, mtime, 0);
        return path;
    }

    public string Dir_(string relative, int mode = Modes.O755, uint uid = 0, uint gid = 0, long mtime = 1_500_000_000)
    {
        var path = this[relative];
        Directory.CreateDirectory(path);
        Posix.LChown(path, uid, gid);
        Posix.Chmod(path, mode);
        Posix.SetMTime(path, mtime, 0);
        return path;
    }

    public string Symlink(string relative, string target)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Every path under a directory, relative, sorted; for "nothing else was written" checks.</summary>
    public static string[] Listing(string dir)
    {
        // Directory enumeration with RecurseSubdirectories follows symlinked directories; this walk does not.
        var found = new List<string>();
        void Walk(DirectoryInfo d)
        {
            foreach (var e in d.EnumerateFileSystemInfos())
            {
                found.Add(Path.GetRelativePath(dir, e.FullName));
                if (e is DirectoryInfo sub && sub.LinkTarget is null)
                    Walk(sub);
            }
        }
        if (Directory.Exists(dir))
            Walk(new DirectoryInfo(dir));
        return found.Order(StringComparer.Ordinal).ToArray();
    }
}
