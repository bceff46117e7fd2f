using System.Globalization;
using System.Text;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Push;

namespace Vz.Deploy.Runc;

/// <summary>
/// The node scripts of runc pods, as text (value in, text out; POSIX sh, coreutils, GNU tar,
/// util-linux flock: nothing of vz's runs on the node). Unpacking an image version into its bundle
/// directory once, the pod's volume directories, pruning bundles no kept release needs, and the
/// container's state for ps and diff.
/// </summary>
public static class RuncScripts
{
    static string Q(string s) => Sh.Quote(s);

    /// <summary>runc's state directory: the unit's %t/vz-runc for a system unit (runc pods run as root).</summary>
    public const string StateRoot = "/run/vz-runc";

    /// <summary><see cref="Unpack"/>: the archive push left is damaged.</summary>
    public const int ArchiveDamaged = 65;
    /// <summary><see cref="Unpack"/>: the archive is not in the node's image store.</summary>
    public const int ArchiveMissing = 66;

    /// <summary>
    /// Unpacks the image whose verified archive push left in the node's store into
    /// bundles/NAME/sha256-HEX/rootfs, once: a bundle that is there (its "unpacked" marker written
    /// last) is kept ("kept"); otherwise the archive is hashed again, each layer is extracted in
    /// order as root (owners and modes as recorded, numeric ids) after its whiteouts' rm, into a
    /// .part directory renamed into place at the end ("unpacked"). A failure removes the .part.
    /// </summary>
    public static string Unpack(NodeLayout layout, string image, string sha, UnpackPlan plan)
    {
        var archive = $"{layout.ImageDir(image)}/{NodeScripts.ArchiveFile(sha)}";
        var dir = layout.BundleDir(image, sha);
        var sb = new StringBuilder("umask 022\n");
        sb.Append($"archive={Q(archive)}; dir={Q(dir)}\n");
        sb.Append($"mkdir -p {Q(layout.Bundles)}\n");
        // An attempt whose link broke may still be extracting: wait for it.
        sb.Append($"exec 8> {Q(layout.Bundles + "/.unpack.lock")}\nflock 8\n");
        sb.Append("if [ -f \"$dir/unpacked\" ]; then echo kept; exit 0; fi\n");
        sb.Append($"[ -f \"$archive\" ] || {{ echo \"$archive is not on the node\" >&2; exit {ArchiveMissing}; }}\n");
        sb.Append($"[ \"$(sha256sum < \"$archive\" | cut -d' ' -f1)\" = {Q(sha)} ] || {{ echo \"$archive is damaged\" >&2; exit {ArchiveDamaged}; }}\n");
        sb.Append("fail() { cd /; rm -rf \"$dir.part\"; echo \"$1\" >&2; exit 1; }\n");
        sb.Append("rm -rf \"$dir\" \"$dir.part\" && mkdir -p \"$dir.part/rootfs\" && cd \"$dir.part\" || fail \"cannot make $dir.part\"\n");
        var flags = "--numeric-owner --same-owner --same-permissions" + (plan.Xattrs ? " --xattrs '--xattrs-include=security.capability' '--xattrs-include=user.*'" : "")
            + (plan.HasWhiteouts ? " '--exclude=.wh.*'" : "");
        foreach (var (layer, i) in plan.Layers.Select((l, i) => (l, i + 1)))
        {
            foreach (var d in layer.Deletes)
                sb.Append($"rm -rf -- {Q("rootfs/" + d)} || fail {Q($"layer {i}: cannot remove {d}")}\n");
            foreach (var d in layer.Opaque)
            {
                var path = d.Length == 0 ? "rootfs" : "rootfs/" + d;
                sb.Append($"if [ -d {Q(path)} ]; then find {Q(path)} -mindepth 1 -maxdepth 1 -exec rm -rf -- {{}} + || fail {Q($"layer {i}: cannot empty {(d.Length == 0 ? "/" : d)}")}; fi\n");
            }
            // A pipeline's status is its last command's: the stages before it leave a mark when they fail.
            sb.Append($"{{ tar -xOf \"$archive\" {Q(layer.Member)} || : > failed; }} | ");
            if (layer.Compression == LayerCompression.Gzip)
                sb.Append("{ gzip -dc || : > failed; } | ");
            sb.Append($"tar -x {flags} -C rootfs -f - || fail {Q($"layer {i} ({layer.Member}): tar failed")}\n");
            sb.Append($"[ ! -e failed ] || fail {Q($"layer {i} ({layer.Member}): cannot read it from the archive")}\n");
        }
        sb.Append($"printf 'sha256=%s\\nimage=%s\\n' {Q(sha)} {Q(image)} > unpacked || fail 'cannot write the marker'\n");
        sb.Append("cd / && mv \"$dir.part\" \"$dir\" || fail \"cannot move $dir.part into place\"\n");
        sb.Append("echo unpacked\n");
        return sb.ToString();
    }

    /// <summary>
    /// The directories of the pod's persistentVolumeClaims under ~/.vz/volumes, made once and given
    /// to the container's user (as podman gives a new named volume); existing ones are left as they
    /// are, with their data. hostPath volumes are the unit's to make (<see cref="StartPreparations"/>).
    /// </summary>
    public static string Volumes(NodeLayout layout, PodManifest m, uint uid, uint gid)
    {
        var sb = new StringBuilder("set -e\numask 022\n");
        foreach (var claim in m.Volumes.Select(v => v.Source).OfType<ClaimVolume>().Select(c => c.ClaimName).Distinct(StringComparer.Ordinal))
        {
            var dir = layout.Volume(claim);
            sb.Append($"if [ ! -d {Q(dir)} ]; then mkdir -p {Q(dir)}; chown {uid.ToString(CultureInfo.InvariantCulture)}:{gid.ToString(CultureInfo.InvariantCulture)} {Q(dir)}; echo {Q($"volume {claim} made")}; fi\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// What the unit does before each start for the pod's hostPath volumes, as kubelet and podman do
    /// at each start: DirectoryOrCreate (and no type) makes the directory, FileOrCreate an empty file
    /// (its directory must exist). Each as a command line of its own.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> StartPreparations(PodManifest m) =>
        m.Volumes.Select(v => v.Source).OfType<HostPathVolume>().Select(h => h.Type switch
        {
            null or "DirectoryOrCreate" => (IReadOnlyList<string>)["/bin/mkdir", "-p", h.Path],
            "FileOrCreate" => ["/bin/touch", "-a", h.Path],
            _ => [],
        }).Where(c => c.Count > 0).ToList();

    /// <summary>
    /// Removes bundles no release kept on the node names and whose archive the image store no longer
    /// keeps (push prunes archives but current and previous; confirm prunes releases but current and
    /// previous): a rollback always finds its rootfs. Runs in Confirm after the releases are pruned.
    /// </summary>
    public static string PruneBundles(NodeLayout layout) =>
        $"for d in {Q(layout.Bundles)}/*/sha256-*; do\n" +
        "  [ -d \"$d\" ] || continue\n" +
        "  sha=${d##*/sha256-}; name=${d%/*}; name=${name##*/}\n" +
        $"  [ -f {Q(layout.Images)}/\"$name/sha256-$sha.tar\" ] && continue\n" +
        $"  grep -qsx \"image=[^ ]* sha256:$sha\" {Q(layout.Pods)}/*/releases/*/{NodeLayout.RecordFile} && continue\n" +
        "  rm -rf \"$d\"\n" +
        "done\n";

    /// <summary>
    /// The pod's container for NodeStatus: "ctr=NAME STATE 0 IMAGEID" (state from runc state, "stopped"
    /// when runc has none; restarts are the service's, NRestarts), and with detail "ctrd=NAME STARTED
    /// LIMIT USAGE IMAGE -": start time, memory limit and use from the container's own cgroup (found
    /// through its init's /proc/PID/cgroup: v1 memory, else v2). Name, image and ID are the
    /// annotations of the current config.json.
    /// </summary>
    public static string Status(NodeLayout layout, PlatformPlan plan, string pod, bool detail)
    {
        var cfg = layout.CurrentManifest(pod, UnitKind.RuncService);
        string Annotation(string key) => $"$(sed -n 's/^ *\"{key.Replace(".", "\\.")}\": \"\\([^\"]*\\)\",\\{{0,1\\}}$/\\1/p' {Q(cfg)} 2>/dev/null)";
        string State(string key, string value) => $"$(printf '%s\\n' \"$st\" | sed -n 's/^ *\"{key}\": {value},\\{{0,1\\}}$/\\1/p')";
        var sb = new StringBuilder();
        sb.Append($"st=$({Q(plan.RuncPath)} --root {StateRoot} state {Q(RuncConfig.ContainerId(pod))} 2>/dev/null)\n");
        sb.Append($"status={State("status", "\"\\([a-z]*\\)\"")}; name={Annotation(RuncConfig.ContainerAnnotation)}; iid={Annotation(RuncConfig.ImageIdAnnotation)}\n");
        sb.Append("if [ -n \"$name\" ]; then echo \"ctr=$name ${status:-stopped} 0 ${iid:--}\"; fi\n");
        if (detail)
        {
            sb.Append($"pid={State("pid", "\\([0-9]*\\)")}; created={State("created", "\"\\([^\"]*\\)\"")}; image={Annotation(RuncConfig.ImageAnnotation)}\n");
            sb.Append("started=; u=; lim=\n");
            sb.Append("if [ -n \"$created\" ] && [ \"$status\" = running ]; then started=$(date -d \"$created\" +%s 2>/dev/null); fi\n");
            sb.Append("if [ -n \"$pid\" ] && [ \"$pid\" != 0 ] && [ -r \"/proc/$pid/cgroup\" ]; then\n");
            sb.Append("  cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' \"/proc/$pid/cgroup\")\n");
            sb.Append("  if [ -n \"$cg\" ]; then u=$(cat \"/sys/fs/cgroup/memory$cg/memory.usage_in_bytes\" 2>/dev/null); lim=$(cat \"/sys/fs/cgroup/memory$cg/memory.limit_in_bytes\" 2>/dev/null)\n");
            sb.Append("  else cg=$(awk -F: '$1 == 0 {print $3}' \"/proc/$pid/cgroup\"); u=$(cat \"/sys/fs/cgroup$cg/memory.current\" 2>/dev/null); lim=$(cat \"/sys/fs/cgroup$cg/memory.max\" 2>/dev/null); fi\n");
            sb.Append("fi\n");
            // No limit: v2 says "max", v1 a number near 2^63.
            sb.Append("case \"$lim\" in ''|max) lim=0 ;; esac; [ ${#lim} -lt 19 ] || lim=0\n");
            sb.Append("if [ -n \"$name\" ]; then echo \"ctrd=$name ${started:--} $lim ${u:--} ${image:--} -\"; fi\n");
        }
        return sb.ToString();
    }
}
