using Vz.Fs;
using Vz.Trace.Elf;

namespace Vz.Trace.Closure;

/// <summary>Where and how to resolve a closure.</summary>
public sealed record ClosureOptions
{
    /// <summary>The filesystem root the paths live in ("/" for the host, a rootfs for minify).</summary>
    public string Root { get; init; } = "/";
    /// <summary>PATH used to resolve <c>#!/usr/bin/env prog</c> shebangs, inside Root.</summary>
    public IReadOnlyList<string> SearchPath { get; init; } = RootFs.DefaultPath;
    /// <summary>Add the resolver/NSS set a container needs (nsswitch.conf, libnss_files, /etc/hosts...).</summary>
    public bool IncludeNss { get; init; } = true;
}

/// <summary>The closed set of paths (absolute, as seen inside Root) and any warnings.</summary>
public sealed record ClosureResult(IReadOnlyList<string> Paths, IReadOnlyList<string> Warnings)
{
    /// <summary>
    /// True when some library was found only through an /etc/ld.so.conf directory. ld.so
    /// reads those directories only through /etc/ld.so.cache, which the closure leaves out
    /// (it describes the source's libraries), so such an image needs its own cache:
    /// <c>ldconfig -r ROOTFS</c> after copying.
    /// </summary>
    public bool NeedsLoaderCache { get; init; }
}

/// <summary>
/// Closes a set of paths over everything they need to work in a container:
/// symlinks along each path and their targets, ELF interpreters and DT_NEEDED
/// libraries, shebang interpreters; drops pseudo-filesystem contents.
/// Returned paths are canonical (no symlink among their parent directories); each
/// symlink met appears as itself next to what it points to. A directory in the input is
/// kept as a directory, never expanded: a spec's <c>+ GLOB</c> line includes contents.
/// </summary>
public static class ClosureResolver
{
    public static ClosureResult Resolve(IEnumerable<string> paths, ClosureOptions options)
    {
        var walk = new ClosureWalk(OpenRoot(options.Root), options);
        return walk.Run(paths);
    }

    /// <summary>The root to resolve in; VZ1202 when it is not a directory.</summary>
    internal static RootFs OpenRoot(string root) => RootFs.Open(root)
        ?? throw new VzException(TraceErrors.RootNotDirectory, $"{root}: root is not a directory", "pass --root an unpacked rootfs directory");
}

/// <summary>One closure computation: caches headers and resolutions for the lifetime of a Resolve call.</summary>
sealed partial class ClosureWalk(RootFs fs, ClosureOptions options)
{
    // A library as ld.so holds it: the path it was found at (its $ORIGIN) and who loaded it (for DT_RPATH).
    sealed record Loaded(string FoundPath, string Canonical, ElfInfo Info, Loaded? Loader);

    static readonly string[] NssFiles = ["/etc/nsswitch.conf", "/etc/hosts", "/etc/passwd", "/etc/group", "/etc/host.conf", "/etc/gai.conf"];

    readonly SortedSet<string> result = new(StringComparer.Ordinal);
    readonly List<string> warnings = [];
    readonly HashSet<string> warned = new(StringComparer.Ordinal);
    readonly Queue<string> pending = new();
    readonly HashSet<string> processed = new(StringComparer.Ordinal);
    readonly HashSet<string> loadedAsDependency = new(StringComparer.Ordinal);
    readonly List<(string Canonical, ElfInfo Info)> libraryRoots = [];
    readonly List<Loaded> executables = [];
    readonly Dictionary<string, ElfInfo?> headers = new(StringComparer.Ordinal);
    readonly Dictionary<string, Resolution> resolutions = new(StringComparer.Ordinal);
    IReadOnlyList<string>? confDirs;
    bool needsLoaderCache;

    public ClosureResult Run(IEnumerable<string> paths)
    {
        // Pseudo-filesystem contents are never read: on the host /proc/self/exe would lead anywhere.
        foreach (var p in PathFilter.Apply(paths))
            pending.Enqueue(p);
        Drain();
        // Libraries given directly (dlopen-ed ones in a trace) get their own closure, unless an
        // executable already loaded them, whose DT_RPATH may be what finds their dependencies.
        foreach (var (canonical, info) in libraryRoots)
            if (!loadedAsDependency.Contains(canonical))
                LoadDependencies(new Loaded(canonical, canonical, info, null));
        if (options.IncludeNss)
            AddNss();
        if (needsLoaderCache)
            AddLoaderConf();
        Drain();
        return new ClosureResult(PathFilter.Apply(result).ToArray(), warnings) { NeedsLoaderCache = needsLoaderCache };
    }

    void Drain()
    {
        while (pending.TryDequeue(out var path))
            Visit(path, null);
    }

    /// <summary>Adds a path with its symlink chain; returns its resolution when it resolved.</summary>
    Resolution? AddWithChain(string path, string? neededBy)
    {
        var r = ResolveCached(path);
        result.UnionWith(r.Chain);
        var by = neededBy is null ? "" : $" (needed by {neededBy})";
        switch (r.Error)
        {
            case ResolveError.Missing:
                Warn(r.Chain.Count > 0 ? $"{path}: dangling symlink to missing {r.Path}{by}" : $"{path}: missing{by}");
                return null;
            case ResolveError.Loop:
                Warn($"{path}: too many levels of symbolic links (symlink loop){by}");
                return null;
            case ResolveError.NotDirectory:
                Warn($"{path}: a parent of it is not a directory{by}");
                return null;
        }
        result.Add(r.Path);
        return r;
    }

    void Visit(string path, string? neededBy)
    {
        if (AddWithChain(path, neededBy) is not { } resolved || !processed.Add(resolved.Path) || !PathFilter.Keep(resolved.Path))
            return;
        if (!resolved.Is(UnixFileType.Regular))
            return;
        var canonical = resolved.Path;
        if (PythonSource(canonical) is { } source && fs.Exists(source))
            Visit(source, canonical);
        if (PythonLandmark(canonical) is { } landmark && fs.Exists(landmark))
            Visit(landmark, canonical);
        var head = ReadHead(canonical);
        if (ElfHeaders.HasMagic(head))
        {
            if (Headers(canonical) is not { } info)
                return;
            if (info.Interpreter is null)
            {
                libraryRoots.Add((canonical, info));
                return;
            }
            Visit(info.Interpreter, canonical);
            LoadDependencies(new Loaded(canonical, canonical, info, null));
        }
        else if (Shebang.Parse(head) is { } shebang)
        {
            Visit(shebang.Interpreter, canonical);
            if (shebang.IsEnv)
                VisitEnvProgram(shebang, canonical);
        }
    }

    /// <summary>
    /// The source of a PEP 3147 cache file: <c>DIR/__pycache__/NAME.TAG.pyc</c> -> <c>DIR/NAME.py</c>.
    /// Python opens only the .pyc but stats the source, and without it ignores the cache (and
    /// finds no stdlib: os.py is its landmark), so a trace alone leaves python unable to start.
    /// </summary>
    internal static string? PythonSource(string path)
    {
        if (!path.EndsWith(".pyc", StringComparison.Ordinal))
            return null;
        var dir = Path.GetDirectoryName(path);
        if (dir is null || Path.GetFileName(dir) != "__pycache__")
            return null;
        var name = Path.GetFileName(path);
        return Path.GetDirectoryName(dir) + "/" + name[..name.IndexOf('.')] + ".py";
    }

    /// <summary>
    /// <c>lib/pythonX.Y/os.py</c> for a path inside a Python stdlib: python finds its prefix by
    /// stat-ing this landmark (Modules/getpath.py), but os is frozen into the binary, so it is
    /// never opened; without it python warns and guesses its prefix.
    /// </summary>
    internal static string? PythonLandmark(string path)
    {
        var m = PythonStdlib().Match(path);
        return m.Success ? m.Groups[1].Value + "/os.py" : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(.*/lib/python3\.[0-9]+)/")]
    private static partial System.Text.RegularExpressions.Regex PythonStdlib();

    void VisitEnvProgram(Shebang shebang, string script)
    {
        if (shebang.EnvProgram() is not { } program)
        {
            Warn($"{script}: cannot tell which program '#!{shebang.Interpreter} {shebang.Argument}' runs");
            return;
        }
        if (program.Contains('/'))
        {
            Visit(program, script);
            return;
        }
        if (fs.Which(program, options.SearchPath).Path is { } found)
        {
            Visit(found, script);
            return;
        }
        Warn($"{script}: interpreter {program} not found on the search path ({string.Join(':', options.SearchPath)})");
    }

    /// <summary>Loads DT_NEEDED breadth first from one executable or library, as ld.so does.</summary>
    void LoadDependencies(Loaded start)
    {
        if (start.Info.Interpreter is not null)
            executables.Add(start);
        var satisfied = new HashSet<string>(StringComparer.Ordinal);
        if (start.Info.SoName is { } own)
            satisfied.Add(own);
        // The interpreter is already mapped: libc's DT_NEEDED on ld-linux is satisfied by its soname.
        if (start.Info.Interpreter is { } interp && ResolveCached(interp) is { Ok: true } ri && Headers(ri.Path)?.SoName is { } interpName)
            satisfied.Add(interpName);
        var loaded = new HashSet<string>(StringComparer.Ordinal) { start.Canonical };
        var queue = new Queue<Loaded>([start]);
        while (queue.TryDequeue(out var obj))
        {
            foreach (var name in obj.Info.Needed)
            {
                if (!satisfied.Add(name))
                    continue;
                if (FindLibrary(name, obj) is not { } lib)
                {
                    Warn($"{obj.Canonical}: library {name} not found");
                    continue;
                }
                if (lib.Info.SoName is { } soname)
                    satisfied.Add(soname);
                AddWithChain(lib.FoundPath, obj.Canonical);
                foreach (var variant in HwcapsVariants(lib, obj))
                    AddWithChain(variant, obj.Canonical);
                processed.Add(lib.Canonical);
                loadedAsDependency.Add(lib.Canonical);
                if (loaded.Add(lib.Canonical))
                    queue.Enqueue(lib);
            }
        }
    }

    Loaded? FindLibrary(string name, Loaded requester)
    {
        if (name.Contains('/'))
            return Candidate(Expand(name, requester), requester);
        foreach (var (dir, onlyInConf) in SearchDirs(requester))
            if (Candidate($"{dir.TrimEnd('/')}/{name}", requester) is { } found)
            {
                needsLoaderCache |= onlyInConf;
                return found;
            }
        return null;
    }

    /// <summary>
    /// Builds of the same library for newer CPU levels (DIR/glibc-hwcaps/x86-64-v3/NAME), which
    /// ld.so prefers when the CPU has them; the image may run on any CPU, so all are kept.
    /// </summary>
    IEnumerable<string> HwcapsVariants(Loaded lib, Loaded requester)
    {
        var dir = Path.GetDirectoryName(lib.FoundPath) ?? "/";
        if (ResolveTo($"{dir}/glibc-hwcaps", UnixFileType.Directory) is not { } hwcaps)
            yield break;
        var name = Path.GetFileName(lib.FoundPath);
        foreach (var level in Directory.EnumerateDirectories(fs.HostPath(hwcaps)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (Candidate($"{dir}/glibc-hwcaps/{level}/{name}", requester) is not null)
                yield return $"{dir}/glibc-hwcaps/{level}/{name}";
    }

    /// <summary>Search directories in ld.so's order; OnlyInConf marks ld.so.conf directories ld.so knows only from its cache.</summary>
    IEnumerable<(string Dir, bool OnlyInConf)> SearchDirs(Loaded requester)
    {
        if (requester.Info.RunPath.Count == 0)
        {
            // DT_RPATH of the requester, then of each loader up to the executable; an object
            // with DT_RUNPATH contributes no DT_RPATH (glibc elf/dl-load.c cache_rpath).
            for (var l = requester; l is not null; l = l.Loader)
                if (l.Info.RunPath.Count == 0)
                    foreach (var entry in l.Info.RPath)
                        yield return (Expand(entry, l), false);
        }
        foreach (var entry in requester.Info.RunPath)
            yield return (Expand(entry, requester), false);
        var defaults = LibrarySearch.DefaultDirs(requester.Info);
        foreach (var dir in confDirs ??= LibrarySearch.ConfDirs(fs))
            yield return (dir, !defaults.Contains(dir, StringComparer.Ordinal));
        foreach (var dir in defaults)
            yield return (dir, false);
    }

    string Expand(string entry, Loaded obj)
    {
        var origin = Path.GetDirectoryName(obj.FoundPath) ?? "/";
        return LibrarySearch.ExpandTokens(entry, origin, obj.Info,
            dir => ResolveTo(dir, UnixFileType.Directory) is not null);
    }

    // ld.so skips a file of the wrong class or machine and keeps searching (dl-load.c open_verify).
    Loaded? Candidate(string path, Loaded requester)
    {
        if (ResolveTo(path, UnixFileType.Regular) is not { } canonical)
            return null;
        if (Headers(canonical) is not { } info || !requester.Info.Compatible(info))
            return null;
        return new Loaded(path, canonical, info, requester);
    }

    /// <summary>What `ldconfig -r ROOTFS` reads to write the cache such an image needs.</summary>
    void AddLoaderConf()
    {
        pending.Enqueue("/etc/ld.so.conf");
        if (ResolveTo("/etc/ld.so.conf.d", UnixFileType.Directory) is { } d)
            foreach (var f in Directory.EnumerateFiles(fs.HostPath(d), "*.conf").Order(StringComparer.Ordinal))
                pending.Enqueue(d + "/" + Path.GetFileName(f));
    }

    void AddNss()
    {
        foreach (var file in NssFiles)
            if (ResolveCached(file).Ok)
                Visit(file, null);
        // resolv.conf is usually a link into /run, or bind-mounted by the runtime: only a real file is the image's own.
        if (fs.Lstat("/etc/resolv.conf")?.Type == UnixFileType.Regular)
            Visit("/etc/resolv.conf", null);

        // glibc dlopens libnss_SERVICE.so.2 for each service nsswitch.conf names (nss(5));
        // since glibc 2.34 files and dns live in libc itself, so a missing one is no error.
        var modules = new[] { "files", "dns" }.Concat(NssServices()).Distinct(StringComparer.Ordinal)
            .Select(s => $"libnss_{s}.so.2").Append("libresolv.so.2");
        var loaders = executables.DistinctBy(e => (e.Info.Is64Bit, e.Info.BigEndian, e.Info.Machine)).ToArray();
        foreach (var exe in loaders)
            foreach (var module in modules)
                if (FindLibrary(module, exe) is { } lib)
                {
                    AddWithChain(lib.FoundPath, null);
                    if (processed.Add(lib.Canonical))
                        LoadDependencies(lib with { Loader = null });
                }
    }

    IEnumerable<string> NssServices()
    {
        if (ResolveTo("/etc/nsswitch.conf", UnixFileType.Regular) is not { } conf)
            yield break;
        foreach (var raw in File.ReadLines(fs.HostPath(conf)))
        {
            var line = raw.Split('#')[0];
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            // "hosts: files [NOTFOUND=return] dns": services are the words outside brackets.
            var inBracket = false;
            foreach (var word in line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.StartsWith('['))
                    inBracket = true;
                if (!inBracket && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                    yield return word;
                if (word.EndsWith(']'))
                    inBracket = false;
            }
        }
    }

    Resolution ResolveCached(string path)
    {
        if (!resolutions.TryGetValue(path, out var r))
            resolutions[path] = r = fs.Resolve(path);
        return r;
    }

    /// <summary>The canonical path when <paramref name="path"/> resolves to an entry of that kind; null otherwise.</summary>
    string? ResolveTo(string path, UnixFileType type) =>
        ResolveCached(path) is { } r && r.Is(type) ? r.Path : null;

    ElfInfo? Headers(string canonical)
    {
        if (headers.TryGetValue(canonical, out var cached))
            return cached;
        ElfInfo? info = null;
        try
        {
            using var stream = File.OpenRead(fs.HostPath(canonical));
            info = ElfHeaders.Read(stream);
        }
        catch (InvalidDataException e)
        {
            Warn($"{canonical}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"{canonical}: cannot read: {e.Message}");
        }
        return headers[canonical] = info;
    }

    byte[] ReadHead(string canonical)
    {
        try
        {
            // A length check first: a FIFO or device would block or never end.
            var host = fs.HostPath(canonical);
            if (new FileInfo(host).Length < 4)
                return [];
            using var stream = File.OpenRead(host);
            return ProgramFile.ReadHead(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"{canonical}: cannot read: {e.Message}");
            return [];
        }
    }

    void Warn(string message)
    {
        if (warned.Add(message))
            warnings.Add(message);
    }
}
