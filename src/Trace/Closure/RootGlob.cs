using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using Vz.Fs;

namespace Vz.Trace.Closure;

/// <summary>
/// Matches an absolute glob (<c>/usr/share/perl5/**/*.pm</c>) against the files inside a
/// root with Microsoft.Extensions.FileSystemGlobbing. The glob's literal leading directories
/// are resolved inside the root (so <c>/lib/...</c> works when /lib is a symlink) and the
/// rest is matched below them. Symlinks met while walking are matched as entries but never
/// descended into: a link may point outside the root, or in a loop.
/// </summary>
public static class RootGlob
{
    /// <summary>Canonical matching paths, plus the symlinks of the literal prefix; sorted.</summary>
    public static IReadOnlyList<string> Match(RootFs fs, string glob)
    {
        var segments = glob.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var literal = segments.TakeWhile(s => !IsWild(s)).Count();
        if (literal == segments.Length)
        {
            // No wildcard: the path itself, when it exists (a directory stays one entry).
            var whole = fs.Resolve(glob, followLast: false);
            return whole.Ok ? whole.Chain.Append(whole.Path).Distinct().Order(StringComparer.Ordinal).ToArray() : [];
        }
        var prefix = fs.Resolve("/" + string.Join('/', segments[..literal]));
        if (!prefix.Is(UnixFileType.Directory))
            return [];
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(string.Join('/', segments[literal..]));
        var baseDir = prefix.Path == "/" ? "" : prefix.Path;
        var matches = matcher.Execute(new NoFollowDirectory(new DirectoryInfo(fs.HostPath(prefix.Path)), null)).Files
            .Select(f => $"{baseDir}/{f.Path}");
        return matches.Any()
            ? matches.Concat(prefix.Chain).Distinct().Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    /// <summary>The absolute paths (as strings, nothing read) that match the glob.</summary>
    public static IReadOnlySet<string> Filter(string glob, IEnumerable<string> paths)
    {
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(glob.TrimStart('/'));
        return matcher.Match("/", paths).Files.Select(f => "/" + f.Path).ToHashSet(StringComparer.Ordinal);
    }

    static bool IsWild(string segment) => segment.IndexOfAny(['*', '?', '[', '{']) >= 0;

    /// <summary>A directory view that lists symlinks as plain entries instead of following them.</summary>
    sealed class NoFollowDirectory(DirectoryInfo dir, DirectoryInfoBase? parent) : DirectoryInfoBase
    {
        public override string Name => dir.Name;
        public override string FullName => dir.FullName;
        public override DirectoryInfoBase? ParentDirectory => parent;

        public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
        {
            if (!dir.Exists || dir.LinkTarget is not null)
                yield break;
            foreach (var entry in dir.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo sub && sub.LinkTarget is null)
                    yield return new NoFollowDirectory(sub, this);
                else
                    yield return new FileInfoWrapper(new FileInfo(entry.FullName));
            }
        }

        public override DirectoryInfoBase? GetDirectory(string path)
        {
            if (path == "..")
                return parent;
            var sub = new DirectoryInfo(Path.Combine(dir.FullName, path));
            // A linked directory yields nothing, as in EnumerateFileSystemInfos.
            return sub.LinkTarget is null ? new NoFollowDirectory(sub, this) : null;
        }

        public override FileInfoBase? GetFile(string path) => new FileInfoWrapper(new FileInfo(Path.Combine(dir.FullName, path)));
    }
}
