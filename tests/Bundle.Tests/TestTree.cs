using Vz.Bundle.Fs;

namespace Vz.Bundle.Tests;

/// <summary>A scratch directory under /tmp/vz-bundle-*, removed when the test ends.</summary>
public sealed class TestTree : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("vz-bundle-").FullName;

    public string this[string relative] => Path.Combine(Dir, relative.TrimStart('/'));

    /// <summary>
    /// Writes a file (creating parents) with the given mode and mtime, and the owner when one is
    /// given (only root may give files away: tests that do are integration tests).
    /// </summary>
    public string File(string relative, string content, int mode = Modes.O644, uint? uid = null, uint? gid = null, long mtime = 1_600_000_000)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        Chown(path, uid, gid);
        Posix.Chmod(path, mode);
        Posix.SetMTime(path, mtime, 0);
        return path;
    }

    public string Dir_(string relative, int mode = Modes.O755, uint? uid = null, uint? gid = null, long mtime = 1_500_000_000)
    {
        var path = this[relative];
        Directory.CreateDirectory(path);
        Chown(path, uid, gid);
        Posix.Chmod(path, mode);
        Posix.SetMTime(path, mtime, 0);
        return path;
    }

    static void Chown(string path, uint? uid, uint? gid)
    {
        if (uid is not null || gid is not null)
            Posix.LChown(path, uid ?? uint.MaxValue, gid ?? uint.MaxValue); // -1 leaves one unchanged
    }

    public string Symlink(string relative, string target)
    {
        var path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>
    /// A tree with a setuid file and a hard link to it, a symlinked directory, a 124-byte name and
    /// a dotfile; with <paramref name="owners"/>, owned by 1234:5678 and 3000000:7 (needs root).
    /// </summary>
    public static TestTree Sample(bool owners)
    {
        var t = new TestTree();
        t.File("usr/bin/tool", "tool-bytes", Modes.Parse("4755"), owners ? 1234u : null, owners ? 5678u : null, 1_600_000_000);
        Posix.HardLink(t["usr/bin/tool"], t["usr/bin/tool-again"]);
        t.Symlink("bin", "usr/bin");
        t.File("etc/" + new string('n', 120), "long name", Modes.O600, owners ? 3_000_000u : null, owners ? 7u : null, 100);
        t.File("root/.profile", "dotfile");
        return t;
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
