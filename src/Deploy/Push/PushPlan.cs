using Vz.Deploy.Transport;

namespace Vz.Deploy.Push;

/// <summary>How an image reached a node.</summary>
public enum PushMode
{
    /// <summary>The node already had this version.</summary>
    Unchanged,
    /// <summary>The whole archive, uncompressed (the node has no zstd).</summary>
    Full,
    /// <summary>The whole archive, zstd-compressed for the wire.</summary>
    FullZstd,
    /// <summary>The whole archive, gzip-compressed (the node has gzip but no zstd, as minimal Debian).</summary>
    FullGzip,
    /// <summary>An xdelta3 (VCDIFF, RFC 3284) delta against the node's current version.</summary>
    Delta,
    /// <summary>Nothing sent: the node still held this verified archive (its previous version, or a cut push's).</summary>
    Kept,
}

/// <summary>
/// What a node told us before the push: its store directory, tools, current version, and the
/// verified archives it keeps (current, previous, or one an earlier cut push left before loading).
/// </summary>
public sealed record NodeProbe(string Dir, IReadOnlySet<string> Tools, string? CurrentSha)
{
    public IReadOnlySet<string> Archives { get; init; } = new HashSet<string>();

    /// <summary>`uname -sm`, e.g. "Linux x86_64" (null when the node did not say).</summary>
    public string? Platform { get; init; }

    /// <summary>File names of the vzpatch copies in STORE/.vz (installed verified and executable).</summary>
    public IReadOnlySet<string> Vzpatches { get; init; } = new HashSet<string>();

    public bool Has(string tool) => Tools.Contains(tool);

    /// <summary>STORE/.vz: vz's own files on the node, beside the per-image directories.</summary>
    public string VzDir => Dir[..Math.Max(Dir.LastIndexOf('/'), 0)] + "/.vz";

    /// <summary>Where the verified archive with this sha256 lies on the node.</summary>
    public string ArchivePath(string sha) => $"{Dir}/{NodeScripts.ArchiveFile(sha)}";

    /// <summary>Parses the "key=value" lines printed by <see cref="NodeScripts.Probe"/>.</summary>
    public static NodeProbe Parse(string output)
    {
        string? dir = null, current = null;
        var tools = new HashSet<string>();
        var archives = new HashSet<string>();
        var vzpatches = new HashSet<string>();
        string? platform = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=');
            if (eq < 0)
                continue;
            var (k, v) = (line[..eq], line[(eq + 1)..]);
            switch (k)
            {
                case "dir": dir = v; break;
                case "tool": tools.Add(v); break;
                case "current" when IsArchiveFile(v):
                    current = v[7..^4];
                    break;
                case "archive" when IsArchiveFile(v):
                    archives.Add(v[7..^4]);
                    break;
                case "uname": platform = v; break;
                case "vzpatch" when VzpatchBinary.IsFileName(v):
                    vzpatches.Add(v);
                    break;
            }
        }
        if (dir is null || !dir.StartsWith('/'))
            throw new VzException(DeployErrors.NodeCommandFailed, $"node probe printed no store directory: {output.Trim()}");
        return new NodeProbe(dir, tools, current) { Archives = archives, Platform = platform, Vzpatches = vzpatches };
    }

    static bool IsArchiveFile(string v) => v.StartsWith("sha256-") && v.EndsWith(".tar") && v.Length == 7 + 64 + 4;
}

/// <summary>The decisions of a push, as pure functions of what the master and the node have.</summary>
public static class PushPlanner
{
    /// <summary>Decoder source window on the node: 16 MiB keeps xdelta3 near 27 MB RSS (76 MB with defaults).</summary>
    public const long DecodeWindow = 16 * 1024 * 1024;

    /// <summary>
    /// Whether a delta is worth computing for this node, and what applies it there: xdelta3, or
    /// vzpatch for a Linux x86_64 node without it (copied there first unless the probe found it).
    /// The note says why not, or that vzpatch is used (none when the user did not ask for deltas or
    /// the node is new, which need no explanation).
    /// </summary>
    public static DeltaDecision DeltaCandidate(NodeProbe node, string newSha, bool deltaRequested, bool cacheHasCurrent, VzpatchBinary? vzpatch = null)
    {
        if (!deltaRequested || node.CurrentSha is null || node.CurrentSha == newSha)
            return DeltaDecision.No(null);
        if (!cacheHasCurrent)
            return DeltaDecision.No($"node's version {node.CurrentSha[..12]} is not in the local cache: full upload");
        if (node.Has("xdelta3"))
            return new DeltaDecision(true, null, DeltaDecoder.Xdelta3, false);
        if (node.Platform != VzpatchBinary.Platform)
            return DeltaDecision.No($"node has no xdelta3, and vzpatch runs only on {VzpatchBinary.Platform} (node: {node.Platform ?? "unknown"}): full upload");
        if (vzpatch is null)
            return DeltaDecision.No("node has no xdelta3 and no vzpatch was found beside vzbuild (use a published vzbuild, or --vzpatch PATH / VZ_VZPATCH): full upload");
        var install = !node.Vzpatches.Contains(vzpatch.FileName);
        return new DeltaDecision(true,
            install ? $"node has no xdelta3: copying vzpatch ({PushSummary.Bytes(vzpatch.Size)}, once) to apply deltas" : null,
            DeltaDecoder.Vzpatch, install);
    }

    /// <summary>vzpatch exit codes about the delta itself (bad 4, unsupported 5, wrong source 6), not about vzpatch.</summary>
    public static bool IsDeltaProblem(int vzpatchExit) => vzpatchExit is 4 or 5 or 6;

    /// <summary>The full upload's wire form: zstd when the node can decompress it, else gzip, else none.</summary>
    public static PushMode FullMode(NodeProbe node) =>
        node.Has("zstd") ? PushMode.FullZstd : node.Has("gzip") ? PushMode.FullGzip : PushMode.Full;

    /// <summary>
    /// Whether the full upload's compressed size is needed to decide: a delta under 1/20 of the
    /// archive beats any zstd ratio seen on image archives (about 4:1 measured), so compressing the
    /// whole archive just to compare would waste seconds.
    /// </summary>
    public static bool NeedsFullSizeToDecide(long deltaSize, long archiveSize) => deltaSize * 20 > archiveSize;

    /// <summary>
    /// A delta goes only when it is smaller than what the full upload would send; its cost includes
    /// the vzpatch binary when that must be copied first.
    /// </summary>
    public static PushMode Choose(long? deltaSize, long fullWireSize, PushMode fullMode, long extraBytes = 0) =>
        deltaSize is { } d && d + extraBytes < fullWireSize ? PushMode.Delta : fullMode;

    /// <summary>The smallest source window xdelta3 takes: it refuses -B below 512 KiB (XD3_MINSRCWINSZ).</summary>
    public const long MinSourceWindow = 512 * 1024;

    /// <summary>
    /// The encoder's source window: the whole old archive, rounded up to a power of two, and never
    /// below <see cref="MinSourceWindow"/> (an old image of a few KB must still encode); a smaller
    /// window makes xdelta3 miss matches and deltas blow up (measured).
    /// </summary>
    public static long SourceWindow(long oldSize)
    {
        var w = MinSourceWindow;
        while (w < oldSize)
            w <<= 1;
        return w;
    }

    /// <summary>
    /// The resume point for an upload: the bytes already on the node count only if their hash matches
    /// the same prefix of the local file; otherwise start over.
    /// </summary>
    public static long ResumeOffset(long remoteSize, string? remotePrefixSha, long localSize, Func<long, string> localPrefixSha) =>
        remoteSize > 0 && remoteSize <= localSize && remotePrefixSha is not null && localPrefixSha(remoteSize) == remotePrefixSha
            ? remoteSize
            : 0;
}

/// <summary>
/// The shell commands vz runs on a node (POSIX sh plus coreutils). Node layout, under the store:
/// NAME/sha256-HEX.tar verified archives; NAME/current and NAME/previous symlinks to them (the
/// previous one stays for rollback, older ones are pruned); NAME/.incoming/ partial uploads.
/// </summary>
public static class NodeScripts
{
    public static string ArchiveFile(string sha) => $"sha256-{sha}.tar";

    public static string Probe(string store, string storeName) =>
        $"set -e; mkdir -p {Sh.Path(store)}/{Sh.Quote(storeName)}/.incoming; cd {Sh.Path(store)}/{Sh.Quote(storeName)}; " +
        "echo \"dir=$(pwd)\"; echo \"uname=$(uname -sm)\"; " +
        "for f in ../.vz/vzpatch-*; do if [ -f \"$f\" ] && [ -x \"$f\" ]; then echo \"vzpatch=${f##*/}\"; fi; done; " +
        "for t in sha256sum xdelta3 zstd gzip podman; do if command -v $t >/dev/null 2>&1; then echo tool=$t; fi; done; " +
        "c=$(readlink current 2>/dev/null || true); if [ -n \"$c\" ] && [ -f \"$c\" ]; then echo current=$c; fi; " +
        "for f in sha256-*.tar; do if [ -f \"$f\" ]; then echo archive=$f; fi; done";

    /// <summary>Prints "SIZE SHA256" of a partial file (hash of all it holds), or nothing when absent.</summary>
    public static string PartState(string path) =>
        $"if [ -f {Sh.Quote(path)} ]; then printf '%s ' $(stat -c %s {Sh.Quote(path)}); sha256sum < {Sh.Quote(path)}; fi";

    public static string Sha256(string path) => $"sha256sum < {Sh.Quote(path)}";

    public static string Remove(params string[] paths) => "rm -f -- " + string.Join(' ', paths.Select(Sh.Quote));

    public static string Move(string from, string to) => $"mv -f -- {Sh.Quote(from)} {Sh.Quote(to)}";

    /// <summary>Rebuilds the archive from a delta with a 16 MiB source window (bounded memory on 512 MB nodes).</summary>
    public static string ApplyDelta(string oldArchive, string delta, string output) =>
        $"xdelta3 -d -f -B {PushPlanner.DecodeWindow} -s {Sh.Quote(oldArchive)} {Sh.Quote(delta)} {Sh.Quote(output)}";

    /// <summary>The same with vzpatch (one-shot; bounded memory by design, see src/Vcdiff/README.md).</summary>
    public static string ApplyDeltaWithVzpatch(string vzpatch, string oldArchive, string delta, string output) =>
        $"{Sh.Quote(vzpatch)} {Sh.Quote(oldArchive)} {Sh.Quote(delta)} {Sh.Quote(output)}";

    /// <summary>Makes a verified vzpatch upload executable and moves it to its versioned name.</summary>
    public static string InstallVzpatch(string part, string final) =>
        $"chmod 755 {Sh.Quote(part)} && mv -f -- {Sh.Quote(part)} {Sh.Quote(final)}";

    public static string Decompress(PushMode mode, string compressed, string output) => mode == PushMode.FullGzip
        ? $"gzip -d -c < {Sh.Quote(compressed)} > {Sh.Quote(output)}"
        : $"zstd -d -q -f {Sh.Quote(compressed)} -o {Sh.Quote(output)}";

    /// <summary>podman load with the node's runtime settings and environment.</summary>
    public static string Load(NodeSettings settings, string archive)
    {
        var env = settings.Env.Count == 0 ? ""
            : "env " + string.Join(' ', settings.Env.Select(kv => Sh.Quote($"{kv.Key}={kv.Value}"))) + " ";
        var flags = (settings.Runtime is { } r ? $" --runtime {Sh.Quote(r)}" : "")
                    + (settings.CgroupManager is { } c ? $" --cgroup-manager {Sh.Quote(c)}" : "");
        return $"{env}podman{flags} load -q -i {Sh.Quote(archive)}";
    }

    /// <summary>Points current at the new archive (atomically), keeps the old one as previous, prunes the rest.</summary>
    public static string Commit(string dir, string sha) =>
        $"set -e; cd {Sh.Quote(dir)}; new={ArchiveFile(sha)}; " +
        "old=$(readlink current 2>/dev/null || true); " +
        "if [ -n \"$old\" ] && [ \"$old\" != \"$new\" ]; then ln -sfn \"$old\" previous.tmp; mv -Tf previous.tmp previous; fi; " +
        "ln -sfn \"$new\" current.tmp; mv -Tf current.tmp current; " +
        "prev=$(readlink previous 2>/dev/null || true); " +
        "for f in sha256-*.tar; do if [ \"$f\" != \"$new\" ] && [ \"$f\" != \"$prev\" ]; then rm -f -- \"$f\"; fi; done; " +
        $"rm -f .incoming/{sha}.*; echo previous=$prev";
}
