using System.Text.RegularExpressions;
using Vz.Fs;
using Vz.Trace.Closure;

namespace Vz.Trace.Elf;

/// <summary>
/// The directories ld.so searches, as pure functions of an object's headers and the
/// root's /etc/ld.so.conf. Order, from ld.so(8): DT_RPATH of the object and of each of
/// its loaders (only while the object has no DT_RUNPATH), LD_LIBRARY_PATH (ignored: it
/// belongs to a run, not to the image), DT_RUNPATH, the ld.so.conf directories (what
/// /etc/ld.so.cache is built from), then the default directories.
/// </summary>
public static class LibrarySearch
{
    // "$NAME" ends at a character that cannot be part of a name; "${NAME}" is explicit.
    static readonly Regex Token = new(@"\$\{(ORIGIN|LIB|PLATFORM)\}|\$(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_])", RegexOptions.CultureInvariant);

    /// <summary>Debian multiarch tuple for an ELF e_machine (elf.h EM_* values), or null.</summary>
    public static string? MultiarchTuple(int machine, bool is64) => machine switch
    {
        3 => "i386-linux-gnu",
        62 => "x86_64-linux-gnu",
        183 => "aarch64-linux-gnu",
        40 => "arm-linux-gnueabihf",
        21 => "powerpc64le-linux-gnu",
        22 => is64 ? "s390x-linux-gnu" : null,
        243 => is64 ? "riscv64-linux-gnu" : null,
        _ => null,
    };

    /// <summary>The loader's built-in directories: multiarch (Debian), lib64 (Fedora/RHEL), then /lib and /usr/lib.</summary>
    public static IReadOnlyList<string> DefaultDirs(ElfInfo elf)
    {
        var dirs = new List<string>();
        if (MultiarchTuple(elf.Machine, elf.Is64Bit) is { } tuple)
            dirs.AddRange([$"/lib/{tuple}", $"/usr/lib/{tuple}"]);
        if (elf.Is64Bit)
            dirs.AddRange(["/lib64", "/usr/lib64"]);
        dirs.AddRange(["/lib", "/usr/lib"]);
        return dirs;
    }

    /// <summary>
    /// Expands the dynamic string tokens of ld.so(8): $ORIGIN (the object's directory),
    /// $LIB (the distribution's library directory name) and $PLATFORM, with or without braces.
    /// </summary>
    public static string ExpandTokens(string entry, string originDir, ElfInfo elf, Func<string, bool> dirExists)
    {
        var tuple = MultiarchTuple(elf.Machine, elf.Is64Bit);
        // glibc builds $LIB from its slibdir: lib/<tuple> on Debian, lib64 on Fedora/RHEL.
        var lib = tuple is not null && dirExists($"/usr/lib/{tuple}") ? $"lib/{tuple}"
            : elf.Is64Bit && dirExists("/usr/lib64") ? "lib64" : "lib";
        var platform = elf.Machine switch
        {
            62 => "x86_64",
            3 => "i686",
            183 => "aarch64",
            _ => tuple?.Split('-')[0] ?? "unknown",
        };
        return Token.Replace(entry, m => (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) switch
        {
            "ORIGIN" => originDir,
            "LIB" => lib,
            _ => platform,
        });
    }

    /// <summary>
    /// The directories listed by /etc/ld.so.conf inside the root, following
    /// <c>include</c> lines (globs, relative to the including file) as ldconfig(8) does.
    /// </summary>
    public static IReadOnlyList<string> ConfDirs(RootFs fs, string confPath = "/etc/ld.so.conf")
    {
        var dirs = new List<string>();
        Read(fs, confPath, dirs, new HashSet<string>(StringComparer.Ordinal));
        return dirs.Distinct(StringComparer.Ordinal).ToArray();
    }

    static void Read(RootFs fs, string path, List<string> dirs, HashSet<string> seen)
    {
        var r = fs.Resolve(path);
        if (!r.Is(UnixFileType.Regular) || !seen.Add(r.Path))
            return;
        foreach (var raw in File.ReadAllLines(fs.HostPath(r.Path)))
        {
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
                continue;
            if (line.StartsWith("include", StringComparison.Ordinal) && line.Length > 7 && char.IsWhiteSpace(line[7]))
            {
                foreach (var pattern in line[8..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    var absolute = pattern.StartsWith('/') ? pattern : $"{Path.GetDirectoryName(path)}/{pattern}";
                    foreach (var file in Glob(fs, absolute))
                        Read(fs, file, dirs, seen);
                }
                continue;
            }
            if (line.StartsWith("hwcap", StringComparison.Ordinal))
                continue;
            // Old ldconfig accepted "dir=TYPE"; only the directory matters here.
            var dir = line.Split('=')[0].Trim().TrimEnd('/');
            if (dir.StartsWith('/'))
                dirs.Add(dir);
        }
    }

    // Globs in the last component only, which is how ld.so.conf includes are written.
    static IEnumerable<string> Glob(RootFs fs, string pattern)
    {
        var slash = pattern.LastIndexOf('/');
        var dir = slash <= 0 ? "/" : pattern[..slash];
        var name = pattern[(slash + 1)..];
        var r = fs.Resolve(dir);
        if (!r.Is(UnixFileType.Directory))
            return [];
        return Directory.EnumerateFileSystemEntries(fs.HostPath(r.Path), name)
            .Select(host => $"{dir.TrimEnd('/')}/{Path.GetFileName(host)}")
            .Order(StringComparer.Ordinal);
    }
}
