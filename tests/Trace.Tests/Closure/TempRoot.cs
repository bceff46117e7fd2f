namespace Vz.Trace.Tests.Closure;

/// <summary>A throwaway root directory under /tmp/vz-closure-* that tests fill with files and symlinks.</summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = Directory.CreateTempSubdirectory("vz-closure-").FullName;
    }

    public string Path { get; }

    /// <summary>The host path of a path inside the root.</summary>
    public string Host(string inside) => Path + inside;

    public TempRoot File(string inside, string content = "x", bool executable = false)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Host(inside))!);
        System.IO.File.WriteAllText(Host(inside), content);
        if (executable)
            System.IO.File.SetUnixFileMode(Host(inside), (UnixFileMode)0b111_101_101);
        return this;
    }

    public TempRoot Dir(string inside)
    {
        Directory.CreateDirectory(Host(inside));
        return this;
    }

    public TempRoot Link(string inside, string target)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Host(inside))!);
        System.IO.File.CreateSymbolicLink(Host(inside), target);
        return this;
    }

    /// <summary>Copies a host file (following links) to a path inside the root, keeping it executable.</summary>
    public TempRoot Copy(string hostFile, string inside)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Host(inside))!);
        System.IO.File.Copy(hostFile, Host(inside), overwrite: true);
        System.IO.File.SetUnixFileMode(Host(inside), (UnixFileMode)0b111_101_101);
        return this;
    }

    /// <summary>Debian's merged-/usr layout: /bin, /lib, /lib64, /sbin are links into /usr.</summary>
    public TempRoot MergedUsr()
    {
        foreach (var d in new[] { "bin", "sbin", "lib", "lib64" })
        {
            Dir($"/usr/{d}");
            Link($"/{d}", $"usr/{d}");
        }
        return this;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Paths of committed fixtures, found from the test binary up to the repository root.</summary>
public static class Fixtures
{
    public static string Repo { get; } = FindRepo();

    public static string Elf(string name) => System.IO.Path.Combine(Repo, "fixtures", "elf", name);

    static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "vz.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("vz.slnx not found above the test binary");
    }
}
