namespace Vz.Bundle.Minify;

/// <summary>
/// Names in image archives, layers and minify's --keep/--drop/--rules: relative or absolute,
/// "." skipped, ".." refused. Resolving them inside a root is <see cref="Fs.RootPath"/>'s job.
/// </summary>
public static class ArchivePath
{
    /// <summary>Splits an archive or spec path into clean components; ".." is refused.</summary>
    public static IReadOnlyList<string> Components(string path, string what)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
                throw new VzException(MinifyErrors.PathEscapes, $"{what}: path escapes the root: {path}");
            parts.Add(part);
        }
        return parts;
    }
}
