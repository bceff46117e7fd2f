namespace Vz.Core.Tests.Fs;

/// <summary>A throwaway directory under /tmp/vz-core-* that tests fill with files, directories and symlinks.</summary>
public sealed class TempTree : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("vz-core-").FullName;

    /// <summary>The host path of a path inside the tree.</summary>
    public string Host(string inside) => Path + inside;

    public TempTree File(string inside, string content = "x", UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Host(inside))!);
        System.IO.File.WriteAllText(Host(inside), content);
        System.IO.File.SetUnixFileMode(Host(inside), mode);
        return this;
    }

    public TempTree Executable(string inside, string content = "#!/bin/sh\n") =>
        File(inside, content, (UnixFileMode)0b111_101_101);

    public TempTree Dir(string inside, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        Directory.CreateDirectory(Host(inside));
        System.IO.File.SetUnixFileMode(Host(inside), mode);
        return this;
    }

    public TempTree Link(string inside, string target)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Host(inside))!);
        System.IO.File.CreateSymbolicLink(Host(inside), target);
        return this;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
