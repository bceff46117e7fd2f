namespace Vz.Bundle.Minify;

/// <summary>
/// Resolves a path inside a root directory the way the kernel would after chroot:
/// symlinks are followed inside the root, absolute targets restart at the root and
/// ".." stops at it. Nothing that comes out of here points outside the root.
/// (Same idea as containerd's fs.RootPath and Go's securejoin.)
/// </summary>
public static class SecureJoin
{
    const int MaxSymlinks = 255;

    /// <summary>Splits an archive or spec path into clean components; ".." is refused.</summary>
    public static IReadOnlyList<string> Components(string path, string what)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
                throw new VzException("VZ2301", $"{what}: path escapes the root: {path}");
            parts.Add(part);
        }
        return parts;
    }

    /// <summary>
    /// The host path for <paramref name="inside"/> under <paramref name="root"/>, following
    /// symlinks in every component but the last (which the caller creates or replaces).
    /// </summary>
    public static string ParentResolved(string root, IReadOnlyList<string> components)
    {
        if (components.Count == 0)
            return root;
        var parent = Resolve(root, components.Take(components.Count - 1));
        return Path.Combine(parent, components[^1]);
    }

    /// <summary>Follows every component, symlinks included, clamped to the root.</summary>
    public static string Resolve(string root, IEnumerable<string> components)
    {
        var stack = new List<string>();
        var pending = new Queue<string>(components);
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Dequeue();
            if (part is "" or ".")
                continue;
            if (part == "..")
            {
                if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                continue;
            }
            var candidate = Path.Combine([root, .. stack, part]);
            // LinkTarget reads the link itself (lstat), dangling or not; null for anything else.
            var link = new FileInfo(candidate).LinkTarget;
            if (link is not null)
            {
                if (++hops > MaxSymlinks)
                    throw new VzException("VZ2302", $"too many symlinks resolving {candidate}");
                if (link.StartsWith('/'))
                    stack.Clear();
                var rest = pending.ToArray();
                pending = new Queue<string>(link.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                continue;
            }
            stack.Add(part);
        }
        return Path.Combine([root, .. stack]);
    }
}
