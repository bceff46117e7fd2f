namespace Vz.Deploy.Runc;

public enum LayerCompression { None, Gzip }

/// <summary>What a tar entry of a layer is, as far as unpacking it with tar is concerned.</summary>
public enum LayerEntryKind { File, Directory, Symlink, Hardlink, Other }

/// <summary>One entry of a layer tar: its name as stored, kind, link target, and whether it carries extended attributes.</summary>
public sealed record LayerEntry(string Name, LayerEntryKind Kind, string? LinkName = null, bool Xattrs = false);

/// <summary>A layer as read on the operator's machine: its member in the image archive, compression, entries, and the small files vz reads from it.</summary>
public sealed record LayerContent(string Member, LayerCompression Compression, IReadOnlyList<LayerEntry> Entries)
{
    /// <summary>etc/passwd and etc/group when this layer writes them (the last layer that does wins).</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// One layer as the node unpacks it: its member in the archive, its compression, and what the
/// layer's whiteouts remove from the layers below before it is extracted (paths relative to the
/// rootfs: <see cref="Deletes"/> whole, the contents of <see cref="Opaque"/> directories).
/// </summary>
public sealed record UnpackLayer(string Member, LayerCompression Compression, IReadOnlyList<string> Deletes, IReadOnlyList<string> Opaque);

/// <summary>How an image is unpacked on a node with tar (<see cref="RuncScripts.Unpack"/>); Xattrs: some entry carries extended attributes.</summary>
public sealed record UnpackPlan(IReadOnlyList<UnpackLayer> Layers, bool Xattrs)
{
    public bool HasWhiteouts => Layers.Any(l => l.Deletes.Count > 0 || l.Opaque.Count > 0);
}

/// <summary>
/// Decides, on the operator's machine, how the node unpacks an image with plain tar, and refuses
/// what tar cannot do safely there (pure: entries in, plan out). The node extracts each layer in
/// order into the rootfs as root; the image-spec's whiteouts (layer.md: <c>.wh.NAME</c> removes NAME
/// of the layers below, <c>.wh..wh..opq</c> empties a directory of them) become rm commands run
/// before the layer's extraction, and the whiteout entries themselves are not extracted. Refused
/// (VZ4502), because tar or rm would act outside the rootfs: a name with "..", and any entry, hard
/// link target or whiteout whose path goes through a symlink an earlier entry made (GNU tar follows
/// it when a later layer writes below it).
/// </summary>
public static class LayerScan
{
    const string WhiteoutPrefix = ".wh.";
    const string OpaqueWhiteout = ".wh..wh..opq";

    public static UnpackPlan Plan(IReadOnlyList<LayerContent> layers, string source)
    {
        var tree = new Dictionary<string, LayerEntryKind>(StringComparer.Ordinal);
        var plan = new List<UnpackLayer>();
        var xattrs = false;
        foreach (var (layer, index) in layers.Select((l, i) => (l, i)))
        {
            var where = $"{source}: layer {index + 1} ({layer.Member})";
            var deletes = new List<string>();
            var opaque = new List<string>();
            var entries = new List<(string Path, LayerEntry Entry)>();
            foreach (var e in layer.Entries)
            {
                var path = Clean(e.Name, where);
                if (path.Length == 0)
                    continue;
                var slash = path.LastIndexOf('/');
                var (dir, name) = slash < 0 ? ("", path) : (path[..slash], path[(slash + 1)..]);
                if (name == OpaqueWhiteout)
                    opaque.Add(dir);
                else if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
                    deletes.Add(dir.Length == 0 ? name[WhiteoutPrefix.Length..] : $"{dir}/{name[WhiteoutPrefix.Length..]}");
                else
                    entries.Add((path, e));
            }
            // Whiteouts hide what the layers below have: applied before this layer's own entries.
            foreach (var d in deletes)
            {
                Through(tree, d, where, "whiteout of");
                Remove(tree, d, self: true);
            }
            foreach (var d in opaque)
            {
                Through(tree, d, where, "opaque whiteout of");
                if (d.Length > 0 && tree.GetValueOrDefault(d) == LayerEntryKind.Symlink)
                    throw Refuse($"{where}: opaque whiteout of {d}, which is a symlink");
                Remove(tree, d, self: false);
            }
            foreach (var (path, e) in entries)
            {
                Through(tree, path, where, "");
                if (e.Kind == LayerEntryKind.Hardlink)
                {
                    var target = Clean(e.LinkName ?? "", where);
                    if (target.Length == 0)
                        throw Refuse($"{where}: {path} is a hard link to nothing");
                    Through(tree, target, where, $"hard link {path} to");
                }
                xattrs |= e.Xattrs;
                // A directory entry replaces a symlink of that name (GNU tar removes the link first).
                tree[path] = e.Kind;
            }
            plan.Add(new UnpackLayer(layer.Member, layer.Compression, deletes, opaque));
        }
        return new UnpackPlan(plan, xattrs);
    }

    /// <summary>A tar name as a path relative to the rootfs: "./" and "/" dropped, no "." parts; ".." refused.</summary>
    public static string Clean(string name, string where)
    {
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
            throw Refuse($"{where}: {name} has a '..' part");
        return string.Join('/', parts);
    }

    /// <summary>Refuses a path whose parent directories include a symlink (tar and rm would follow it, perhaps out of the rootfs).</summary>
    static void Through(Dictionary<string, LayerEntryKind> tree, string path, string where, string what)
    {
        for (var i = path.IndexOf('/'); i > 0; i = path.IndexOf('/', i + 1))
            if (tree.GetValueOrDefault(path[..i]) == LayerEntryKind.Symlink)
                throw Refuse($"{where}: {(what.Length == 0 ? "" : what + " ")}{path} goes through the symlink {path[..i]}, which tar would follow on the node",
                    "flatten the image (vzbuild bundle and vzbuild image make one layer), or run it as a podman pod");
    }

    static void Remove(Dictionary<string, LayerEntryKind> tree, string path, bool self)
    {
        foreach (var p in tree.Keys.Where(p => path.Length == 0 || (self && p == path) || p.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
            tree.Remove(p);
    }

    static VzException Refuse(string why, string? hint = null) =>
        new(RuncErrors.CannotUnpack, why, hint ?? "runc pods unpack images with tar on the node; make the image with vzbuild image, or run it as a podman pod");
}
