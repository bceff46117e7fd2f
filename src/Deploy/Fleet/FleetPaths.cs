namespace Vz.Deploy.Fleet;

/// <summary>
/// Where the fleet file's paths point. The inventory, manifests and image archives come with the
/// fleet file (usually one repository), so they resolve against its directory and must stay
/// inside it: no absolute paths, no '..' above it. A fleet file from someone else's repository
/// then cannot make vzbuild read (and ship to nodes) a file of the operator's, such as a key.
/// Secret files are the exception: they belong outside the repository, so they may be absolute,
/// start with ~/, or climb out with '..'.
/// </summary>
public static class FleetPaths
{
    /// <summary>An absolute path inside dir, or why not.</summary>
    public static (string? Path, string? Why) Inside(string dir, string written)
    {
        if (written.Length == 0)
            return (null, "an empty path");
        if (written.Contains('\0'))
            return (null, "a path with a NUL character");
        if (written.StartsWith('/') || written.StartsWith('~'))
            return (null, $"'{written}' is absolute: write it relative to the fleet file's directory");
        var full = Path.GetFullPath(Path.Combine(dir, written));
        var root = dir.TrimEnd('/') + "/";
        if (!full.StartsWith(root, StringComparison.Ordinal))
            return (null, $"'{written}' leaves the fleet file's directory ({dir})");
        return (full, null);
    }

    /// <summary>A secret file: ~/ is the operator's home, relative paths resolve against dir.</summary>
    public static (string? Path, string? Why) Secret(string dir, string written, string home)
    {
        if (written.Length == 0 || written.Contains('\0'))
            return (null, "an empty path or one with a NUL character");
        if (written == "~" || written.StartsWith("~/"))
            return (Path.GetFullPath(Path.Combine(home, written.Length > 2 ? written[2..] : ".")), null);
        if (written.StartsWith('~'))
            return (null, $"'{written}': only ~/ (your own home) is expanded");
        return (Path.GetFullPath(written.StartsWith('/') ? written : Path.Combine(dir, written)), null);
    }

    /// <summary>True when path lies inside dir (a secret file there may end up committed).</summary>
    public static bool IsUnder(string dir, string path) => path.StartsWith(dir.TrimEnd('/') + "/", StringComparison.Ordinal);
}
