using System.Globalization;
using System.Text;
using Vz.Deploy.Fleet;
using Vz.Deploy.Platform;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Layout;

/// <summary>
/// The shell scripts a deploy runs on a node, as text (value in, text out). POSIX sh with
/// coreutils, util-linux flock and systemd's tools; the health check alone needs bash (/dev/tcp)
/// or python3. Each is sent with INodeTransport.ExecAsync; none holds a secret value. Exit codes
/// other than 0 that a caller must tell apart are constants here.
/// Quoting: every value goes through <see cref="Q"/> (vz's one quoting rule, <see cref="Sh.Quote"/>).
/// </summary>
public static class PodScripts
{
    /// <summary>LockTake: another deploy holds the lock (stdout: "held-by" and the owner file).</summary>
    public const int LockHeld = 75;
    /// <summary>InstallRelease: an uploaded file's sha256 differs.</summary>
    public const int BadUpload = 65;
    /// <summary>Confirm: the dead-man timer already restored the previous version.</summary>
    public const int AlreadyRestored = 3;
    /// <summary>HealthCheck: the pod did not become healthy in time (stdout: "unhealthy: why").</summary>
    public const int Unhealthy = 1;
    /// <summary>Remove: the pod's restore.sh was written by a vz without the remove mode (nothing was changed).</summary>
    public const int RemoveUnknown = 4;

    static string Q(string s) => Sh.Quote(s);

    /// <summary>
    /// A shell expression naming this boot of the node: the kernel's boot id, and the start time of
    /// the node's init (field 22 of /proc/1/stat). The boot id alone does not change when a
    /// container-based VPS (OpenVZ, LXC) or a test node restarts its init without a new kernel
    /// (seen on harness nodes: every node and every reboot shared the host's boot id); init's
    /// start time does. Where /proc/1 is hidden (hidepid), the boot id alone.
    /// </summary>
    public const string BootMarker = "\"$(cat /proc/sys/kernel/random/boot_id)$(awk '{print \"/\" $22}' /proc/1/stat 2>/dev/null)\"";

    /// <summary>What every script that calls systemctl or podman starts with: the node's podman env, a user's runtime dir.</summary>
    static string Prelude(PlatformPlan plan)
    {
        var sb = new StringBuilder("set -e\n");
        foreach (var (k, v) in plan.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"export {k}={Q(v)}\n");
        // systemctl --user finds the user's manager through XDG_RUNTIME_DIR, which a non-login SSH command may lack.
        if (plan.Rootless)
            sb.Append("XDG_RUNTIME_DIR=\"${XDG_RUNTIME_DIR:-/run/user/$(id -u)}\"; export XDG_RUNTIME_DIR\n");
        return sb.ToString();
    }

    /// <summary>Script lines as the body of an if: two spaces before each.</summary>
    static string Indent(string lines) => string.Concat(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"  {l}\n"));

    static string Podman(PlatformPlan plan) => string.Join(' ', new[] { plan.PodmanPath }.Concat(plan.PodmanGlobalArgs).Select(Q));

    /// <summary>
    /// Takes the node's deploy lock: mkdir is atomic, so of two deploys exactly one creates the
    /// directory; the owner file says who, when and what. Waits up to waitSeconds, then exits
    /// <see cref="LockHeld"/> printing the holder. A lock that already holds this deploy's token
    /// is this deploy's own, taken by an attempt whose link broke: taken again at once.
    /// </summary>
    public static string LockTake(NodeLayout layout, LockOwner owner, int waitSeconds) =>
        "set -e\numask 077\n" +
        $"mkdir -p {Q(layout.Root)}\n" +
        $"if grep -qx {Q("token=" + owner.Token)} {Q(layout.LockOwner)} 2>/dev/null; then echo taken; exit 0; fi\n" +
        "i=0\n" +
        $"while ! mkdir {Q(layout.Lock)} 2>/dev/null; do\n" +
        $"  if [ \"$i\" -ge {waitSeconds.ToString(CultureInfo.InvariantCulture)} ]; then echo held-by; cat {Q(layout.LockOwner)} 2>/dev/null || true; exit {LockHeld}; fi\n" +
        "  sleep 1; i=$((i + 1))\n" +
        "done\n" +
        $"printf '%s' {Q(owner.Render())} > {Q(layout.LockOwner)}\n" +
        "echo taken\n";

    /// <summary>Releases the lock only when this deploy's token is still in it (a broken and retaken lock stays).</summary>
    public static string LockRelease(NodeLayout layout, string token) =>
        $"if grep -qx {Q("token=" + token)} {Q(layout.LockOwner)} 2>/dev/null; then rm -rf {Q(layout.Lock)}; fi\n";

    /// <summary>vzbuild lock release HOST: breaks a stale lock, printing whose it was.</summary>
    public static string LockBreak(NodeLayout layout) =>
        $"if [ -d {Q(layout.Lock)} ]; then cat {Q(layout.LockOwner)} 2>/dev/null || true; rm -rf {Q(layout.Lock)}; echo broken; else echo free; fi\n";

    /// <summary>
    /// The node's secrets salt, made once (32 random bytes, hex) and printed ("salt=HEX"): the key of
    /// the secrets digest in release records, needed before the desired release IDs are known.
    /// </summary>
    public static string Salt(NodeLayout layout) =>
        "set -e\numask 077\n" +
        $"mkdir -p {Q(layout.SecretsIncoming)}\n" +
        $"chmod 700 {Q(layout.Root)} {Q(layout.Secrets)} {Q(layout.SecretsIncoming)}\n" +
        $"[ -s {Q(layout.SecretSalt)} ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n' > {Q(layout.SecretSalt)}\n" +
        $"echo \"salt=$(cat {Q(layout.SecretSalt)})\"\n";

    /// <summary>vz's directories, 0700, and an empty upload area for a release (the caller uploads the files into it).</summary>
    public static string Prepare(NodeLayout layout, string pod, string id) =>
        "set -e\numask 077\n" +
        $"mkdir -p {Q(layout.Releases(pod))} {Q(layout.SecretsIncoming)} {Q(layout.Bundles)}\n" +
        $"chmod 700 {Q(layout.Root)} {Q(layout.Secrets)} {Q(layout.SecretsIncoming)}\n" +
        $"rm -rf {Q(layout.Release(pod, id) + ".part")}\n" +
        $"mkdir {Q(layout.Release(pod, id) + ".part")}\n";

    /// <summary>
    /// Verifies the uploaded release files (name to sha256) and moves the directory into place. A
    /// release that is already there (the same desired state deployed before) is kept as it is.
    /// </summary>
    public static string InstallRelease(NodeLayout layout, string pod, string id, IReadOnlyList<KeyValuePair<string, string>> files)
    {
        var part = layout.Release(pod, id) + ".part";
        var sb = new StringBuilder("set -e\n");
        foreach (var (name, sha) in files)
            sb.Append($"[ \"$(sha256sum < {Q($"{part}/{name}")} | cut -d' ' -f1)\" = {Q(sha)} ] || {{ echo {Q($"bad upload: {name}")}; exit {BadUpload}; }}\n");
        sb.Append($"if [ -d {Q(layout.Release(pod, id))} ]; then rm -rf {Q(part)}; else mv {Q(part)} {Q(layout.Release(pod, id))}; fi\n");
        // The restore script is written with every release: the dead-man and the unit's boot check run it.
        sb.Append($"cp {Q($"{layout.Release(pod, id)}/restore.sh")} {Q(layout.RestoreScript(pod) + ".tmp")} && mv -f {Q(layout.RestoreScript(pod) + ".tmp")} {Q(layout.RestoreScript(pod))}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Puts one secret of a pod in place from files uploaded to ~/.vz/secrets/.incoming (a 0700
    /// directory: the values are never readable by others, whatever mode the upload created).
    /// A secret volume becomes SECRETS/POD/SECRET/KEY files, 0400, in a 0500 directory owned by the
    /// container's user: chown on a root node, podman unshare chown on a rootless one (container
    /// uid 0 is the login user there, so uid 0 needs nothing). An env secret becomes the podman
    /// secret vz-POD-SECRET from an uploaded JSON file ({"KEY":"base64"}, the form podman 4.3's
    /// kube play reads and 5.x still accepts). The uploads are removed; nothing echoes a value.
    /// </summary>
    public static string InstallSecret(NodeLayout layout, PlatformPlan plan, string pod, string secret,
        IReadOnlyList<(string Key, string Upload)> volumeFiles, long? ownerUid, long? ownerGid, string? podmanSecretUpload)
    {
        var sb = new StringBuilder(Prelude(plan)).Append("umask 077\n");
        var dir = layout.SecretDir(pod, secret);
        var (tmp, old) = ($"{layout.Secrets}/{pod}/.{secret}.new", $"{layout.Secrets}/{pod}/.{secret}.old");
        // Rootless files owned by a container uid other than 0 belong to a subordinate uid: only podman unshare may remove them.
        var asOwner = plan.Rootless && ownerUid is not (null or 0) ? $"{Podman(plan)} unshare " : "";
        if (volumeFiles.Count > 0)
        {
            sb.Append($"mkdir -p {Q($"{layout.Secrets}/{pod}")}\n");
            sb.Append($"{asOwner}rm -rf {Q(tmp)} {Q(old)}\n");
            sb.Append($"mkdir {Q(tmp)}\n");
            foreach (var (key, upload) in volumeFiles)
                sb.Append($"mv -f {Q(upload)} {Q($"{tmp}/{key}")}\n");
            sb.Append($"chmod 400 {string.Join(' ', volumeFiles.Select(f => Q($"{tmp}/{f.Key}")))}\n");
            sb.Append($"chmod 500 {Q(tmp)}\n");
            if (ownerUid is { } uid)
            {
                var who = ownerGid is { } gid ? $"{uid}:{gid}" : $"{uid}";
                if (!plan.Rootless)
                    sb.Append($"chown -R {who} {Q(tmp)}\n");
                else if (uid != 0 || ownerGid is not (null or 0))
                    sb.Append($"{Podman(plan)} unshare chown -R {who} {Q(tmp)}\n");
            }
            sb.Append($"if [ -e {Q(dir)} ]; then mv {Q(dir)} {Q(old)}; fi\n");
            sb.Append($"mv {Q(tmp)} {Q(dir)}\n");
            sb.Append($"{asOwner}rm -rf {Q(old)}\n");
        }
        if (podmanSecretUpload is not null)
        {
            var name = NodeLayout.PodmanSecret(pod, secret);
            // podman 4.3 has no secret create --replace.
            sb.Append($"{Podman(plan)} secret rm {Q(name)} >/dev/null 2>&1 || true\n");
            sb.Append($"{Podman(plan)} secret create {Q(name)} {Q(podmanSecretUpload)} >/dev/null\n");
            sb.Append($"rm -f {Q(podmanSecretUpload)}\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Arms the dead-man switch before the switch: writes pending (from, to, this boot's id) and
    /// starts a transient systemd timer that runs restore.sh after delay unless Confirm stops it
    /// first. Transient units vanish at reboot; the unit's boot check covers that case (pending
    /// names another boot).
    /// </summary>
    public static string DeadmanArm(NodeLayout layout, PlatformPlan plan, string pod, string? from, string to, TimeSpan delay)
    {
        var unit = NodeLayout.DeadmanUnit(pod);
        var pending = layout.Pending(pod);
        // prev: what previous named before the switch, for the restore to put back. Re-arming the
        // same switch (an attempt after a broken link, when previous already names from) keeps it.
        return Prelude(plan) +
            $"if [ -f {Q(pending)} ] && [ \"$(sed -n 's/^to=//p' {Q(pending)})\" = {Q(to)} ]; then prev=$(sed -n 's/^prev=//p' {Q(pending)}); " +
            $"else prev=$(readlink {Q(layout.Previous(pod))} 2>/dev/null | sed 's#^releases/##'); fi\n" +
            $"printf 'from=%s\\nto=%s\\nprev=%s\\nboot=%s\\narmed=%s\\n' {Q(from ?? "")} {Q(to)} \"$prev\" {BootMarker} \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" > {Q(pending + ".tmp")}\n" +
            $"mv -f {Q(pending + ".tmp")} {Q(pending)}\n" +
            $"{plan.Systemctl} stop {Q(unit + ".timer")} >/dev/null 2>&1 || true\n" +
            $"{plan.Systemctl} reset-failed {Q(unit + ".timer")} {Q(unit + ".service")} >/dev/null 2>&1 || true\n" +
            $"{plan.SystemdRun} --unit={Q(unit)} --on-active={(int)Math.Ceiling(delay.TotalSeconds)} --timer-property=AccuracySec=1s " +
            $"--description={Q($"vz dead-man switch for pod {pod}")} /bin/sh {Q(layout.RestoreScript(pod))} deadman\n";
    }

    /// <summary>
    /// Switches the pod to release id: installs the unit, points current at it (previous at what
    /// ran), reloads systemd, enables (vz's own units; Quadlet's generator reads [Install] itself)
    /// and restarts. The renames hold the pod's .switch flock, as restore.sh does, so a dead-man
    /// firing at that moment waits; the restart does not hold it (the unit's boot check takes it).
    /// </summary>
    public static string Switch(NodeLayout layout, PlatformPlan plan, string pod, string id)
    {
        var dir = layout.PodDir(pod);
        var sb = new StringBuilder(Prelude(plan));
        // logind lets a user enable its own linger only through polkit (which minimal Debian lacks:
        // "Access denied", seen on bookworm nodes); node add's passwordless sudo does it there.
        if (plan.NeedsLinger)
            sb.Append(plan.Sudo
                ? "loginctl enable-linger \"$(id -un)\" 2>/dev/null || sudo -n loginctl enable-linger \"$(id -un)\"\n"
                : "loginctl enable-linger \"$(id -un)\"\n");
        sb.Append($"cd {Q(dir)}\n");
        sb.Append("exec 9> .switch\nflock 9\n");
        sb.Append($"mkdir -p {Q(plan.UnitDirectory)}\n");
        sb.Append($"cp {Q($"releases/{id}/{NodeLayout.UnitCopyFile}")} {Q(plan.UnitPath + ".vz-tmp")}\n");
        sb.Append($"mv -f {Q(plan.UnitPath + ".vz-tmp")} {Q(plan.UnitPath)}\n");
        sb.Append("old=$(readlink current 2>/dev/null || true)\n");
        sb.Append($"if [ -n \"$old\" ] && [ \"$old\" != {Q($"releases/{id}")} ]; then ln -sfn \"$old\" previous.tmp && mv -Tf previous.tmp previous; fi\n");
        sb.Append($"ln -sfn {Q($"releases/{id}")} current.tmp && mv -Tf current.tmp current\n");
        sb.Append("exec 9>&-\n");
        sb.Append($"{plan.Systemctl} daemon-reload\n");
        if (plan.Unit != UnitKind.QuadletKube)
            sb.Append($"{plan.Systemctl} enable {Q(plan.Service)} >/dev/null 2>&1\n");
        // The restart is queued, not waited for: every script vz runs stays short, so a link cut
        // during a slow start is noticed within seconds, not after TimeoutStartSec. The health check
        // waits for the new start, which it tells from the old by the invocation ID printed here.
        sb.Append($"echo \"invocation=$({plan.Systemctl} show -p InvocationID --value {Q(plan.Service)} 2>/dev/null)\"\n");
        sb.Append(ResetRestarts(plan));
        sb.Append($"{plan.Systemctl} restart --no-block {Q(plan.Service)}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Confirms release id after its health check: stops the dead-man timer, and (holding the
    /// .switch lock) checks the timer did not restore meanwhile (exit <see cref="AlreadyRestored"/>),
    /// removes pending, appends the history line, and prunes releases but current and previous.
    /// </summary>
    public static string Confirm(NodeLayout layout, PlatformPlan plan, string pod, string id, HistoryEntry history)
    {
        var unit = NodeLayout.DeadmanUnit(pod);
        return Prelude(plan) +
            $"{plan.Systemctl} stop {Q(unit + ".timer")} >/dev/null 2>&1 || true\n" +
            $"cd {Q(layout.PodDir(pod))}\n" +
            "exec 9> .switch\nflock 9\n" +
            $"if [ \"$(readlink current 2>/dev/null)\" != {Q($"releases/{id}")} ]; then echo restored-by-deadman; exit {AlreadyRestored}; fi\n" +
            "rm -f pending\n" +
            $"{plan.Systemctl} reset-failed {Q(unit + ".timer")} {Q(unit + ".service")} >/dev/null 2>&1 || true\n" +
            $"printf '%s' {Q(history.Render())} >> {Q(layout.History)}\n" +
            "cur=$(readlink current); prev=$(readlink previous 2>/dev/null || true)\n" +
            "for d in releases/*; do if [ -d \"$d\" ] && [ \"$d\" != \"$cur\" ] && [ \"$d\" != \"$prev\" ]; then rm -rf \"$d\"; fi; done\n" +
            (plan.Unit == UnitKind.RuncService ? Runc.RuncScripts.PruneBundles(layout) : "") +
            "echo confirmed\n";
    }

    /// <summary>
    /// The node-side restore (written to ~/.vz/pods/POD/restore.sh with each release). Modes:
    /// "deadman" (the transient timer fired: vz did not confirm in time), "rollback" (vz saw the new
    /// version fail its check: the same restore, run at once, and the timer stopped), "boot" (the
    /// unit's ExecStartPre: acts only when pending was written in an earlier boot) and "remove WHY
    /// WHO" (deploy --prune: the fleet file no longer places the pod here). A restore puts current
    /// back to pending's from (previous to the failed one), the previous unit file back, logs the
    /// event and, but in boot mode, reloads and restarts. A first deploy has nothing to go back to:
    /// the unit is stopped and removed. Remove stops and removes the unit, drops current and
    /// previous, and deletes the pod's secrets (its files, and the podman secrets of
    /// <paramref name="secrets"/>); volumes stay, and so do the release records (vz moves the pod's
    /// directory aside). Images stay loaded: vz never removes one a kept release names. One script
    /// for vz's rollback and the node's own, so every rollback test exercises the path the dead-man
    /// takes when vz is gone.
    /// </summary>
    public static string RestoreScript(NodeLayout layout, PlatformPlan plan, string pod, IReadOnlyCollection<string> secrets)
    {
        var dir = layout.PodDir(pod);
        var history = (string ev, string rel, string detail, string who) =>
            $"printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" {Q(pod)} {ev} {rel} {who} {detail} >> {Q(layout.History)}";
        var removeUnit = $"{plan.Systemctl} stop {Q(plan.Service)} || true\n" +
            (plan.Unit != UnitKind.QuadletKube ? $"{plan.Systemctl} disable {Q(plan.Service)} >/dev/null 2>&1 || true\n" : "") +
            $"rm -f {Q(plan.UnitPath)}\n" +
            $"{plan.Systemctl} daemon-reload\n";

        var sb = new StringBuilder("#!/bin/sh\n");
        sb.Append($"# vz: restores pod {pod}'s previous release when a deploy was not confirmed. Written by vz; modes: deadman, rollback [WHY], boot, remove WHY WHO.\n");
        sb.Append(Prelude(plan));
        sb.Append("mode=${1:-deadman}; why=${2:-not confirmed}\n");
        sb.Append($"if [ \"$mode\" = rollback ] || [ \"$mode\" = remove ]; then {plan.Systemctl} stop {Q(NodeLayout.DeadmanUnit(pod) + ".timer")} >/dev/null 2>&1 || true; fi\n");
        sb.Append($"cd {Q(dir)} || exit 0\n");
        sb.Append("if [ \"$mode\" = remove ]; then\n");
        sb.Append("  cur=$(readlink current 2>/dev/null | sed 's#^releases/##')\n");
        // The unit stops first: its stop (kube down, runc delete) reads the release through current.
        // Not under the .switch lock: a crash-looping unit's next start (its boot check) takes it.
        sb.Append(Indent(removeUnit));
        sb.Append("  exec 9> .switch\n  flock 9\n");
        sb.Append("  rm -f current previous pending\n");
        sb.Append("  " + history("remove", "\"${cur:--}\"", "\"$why\"", "\"${3:-node}\"") + "\n");
        sb.Append("  exec 9>&-\n");
        // Rootless secret files owned by a container uid other than 0 belong to a subordinate uid: only podman unshare may remove them.
        var secretDir = $"{layout.Secrets}/{pod}";
        sb.Append($"  if [ -d {Q(secretDir)} ]; then rm -rf {Q(secretDir)} 2>/dev/null || {Podman(plan)} unshare rm -rf {Q(secretDir)}; fi\n");
        if (secrets.Count > 0)
            sb.Append($"  if command -v {Q(plan.PodmanPath)} >/dev/null 2>&1; then for s in {string.Join(' ', secrets.Order(StringComparer.Ordinal).Select(x => Q(NodeLayout.PodmanSecret(pod, x))))}; do " +
                $"{Podman(plan)} secret rm \"$s\" >/dev/null 2>&1 || true; done; fi\n");
        sb.Append("  exit 0\n");
        sb.Append("fi\n");
        sb.Append("exec 9> .switch\nflock 9\n");
        sb.Append("[ -f pending ] || exit 0\n");
        sb.Append("from=$(sed -n 's/^from=//p' pending); to=$(sed -n 's/^to=//p' pending); prev=$(sed -n 's/^prev=//p' pending); boot=$(sed -n 's/^boot=//p' pending)\n");
        sb.Append($"if [ \"$mode\" = boot ] && [ \"$boot\" = {BootMarker} ]; then exit 0; fi\n");
        sb.Append("if [ \"$(readlink current 2>/dev/null)\" != \"releases/$to\" ]; then rm -f pending; exit 0; fi\n");
        sb.Append("case \"$mode\" in boot) ev=boot-rollback ;; rollback) ev=rollback ;; *) ev=auto-rollback ;; esac\n");
        sb.Append("if [ -n \"$from\" ] && [ -d \"releases/$from\" ]; then\n");
        sb.Append($"  cp \"releases/$from/{NodeLayout.UnitCopyFile}\" {Q(plan.UnitPath + ".vz-tmp")} && mv -f {Q(plan.UnitPath + ".vz-tmp")} {Q(plan.UnitPath)}\n");
        sb.Append("  ln -sfn \"releases/$from\" current.tmp && mv -Tf current.tmp current\n");
        // previous goes back to what it named before the switch: a later rollback must not pick the failed release.
        sb.Append("  if [ -n \"$prev\" ] && [ -d \"releases/$prev\" ]; then ln -sfn \"releases/$prev\" previous.tmp && mv -Tf previous.tmp previous; else rm -f previous; fi\n");
        sb.Append("  rm -f pending\n");
        sb.Append("  " + history("\"$ev\"", "\"$from\"", "\"$why: restored from $to\"", "node") + "\n");
        sb.Append("  exec 9>&-\n");
        sb.Append("  if [ \"$mode\" = boot ]; then exit 0; fi\n");
        sb.Append($"  {plan.Systemctl} daemon-reload\n");
        if (ResetRestarts(plan) is { Length: > 0 } reset)
            sb.Append("  " + reset);
        sb.Append($"  exec {plan.Systemctl} restart {Q(plan.Service)}\n");
        sb.Append("fi\n");
        // A first deploy: nothing to go back to. The unit stops before current goes (its stop's kube
        // down or runc delete reads the release through it) and after the lock is released (a crash
        // loop's next start takes it); current goes only if no switch came meanwhile.
        sb.Append("rm -f pending\n");
        sb.Append(history("\"$ev\"", "-", "\"$why: first release $to removed\"", "node") + "\n");
        sb.Append("exec 9>&-\n");
        sb.Append("if [ \"$mode\" = boot ]; then rm -f current; exit 1; fi\n");
        sb.Append(removeUnit);
        sb.Append("if [ \"$(readlink current 2>/dev/null)\" = \"releases/$to\" ]; then rm -f current; fi\n");
        return sb.ToString();
    }

    /// <summary>
    /// Removes a pod vz placed on this node and the fleet file no longer places here (deploy
    /// --prune): the pod's own restore.sh stops and removes its unit and secrets (it knows how the
    /// pod runs; the fleet file no longer says), then its directory moves to ~/.vz/removed, so the
    /// records stay and diff no longer counts it. Volumes and images are not touched.
    /// </summary>
    public static string Remove(NodeLayout layout, string pod, string why, string who)
    {
        var dir = layout.PodDir(pod);
        var restore = layout.RestoreScript(pod);
        return "set -e\n" +
            $"echo \"release=$(readlink {Q(layout.Current(pod))} 2>/dev/null | sed 's#^releases/##')\"\n" +
            $"if [ -f {Q(restore)} ]; then\n" +
            $"  grep -q 'modes: .*remove WHY WHO' {Q(restore)} || {{ echo 'its restore.sh predates removal'; exit {RemoveUnknown}; }}\n" +
            $"  /bin/sh {Q(restore)} remove {Q(why.Replace('\t', ' '))} {Q(who.Replace('\t', ' '))}\n" +
            "fi\n" +
            $"mkdir -p {Q(layout.Removed)}\n" +
            $"mv -T {Q(dir)} {Q(layout.Removed + "/" + pod)}.\"$(date -u +%Y%m%dT%H%M%SZ)\"\n" +
            "echo removed\n";
    }

    /// <summary>
    /// What <see cref="ImageGc"/> decides from: "kept=NAME" for each image a kept release (current
    /// or previous, of every pod) names, "store=NAME" for each repository of the node's image store,
    /// "image=REPOSITORY:TAG" for each tagged image podman holds.
    /// </summary>
    public static string ImageList(NodeLayout layout, PlatformPlan plan) =>
        Prelude(plan) +
        $"for r in {Q(layout.Pods)}/*/current/{NodeLayout.RecordFile} {Q(layout.Pods)}/*/previous/{NodeLayout.RecordFile}; do " +
        "if [ -f \"$r\" ]; then sed -n 's/^image=\\([^ ]*\\) .*/kept=\\1/p' \"$r\"; fi; done\n" +
        $"for d in {Q(layout.Images)}/*/; do if [ -d \"$d\" ]; then d=${{d%/}}; echo \"store=${{d##*/}}\"; fi; done\n" +
        $"{Podman(plan)} images --filter dangling=false --format 'image={{{{.Repository}}}}:{{{{.Tag}}}}'\n";

    /// <summary>
    /// Removes the images <see cref="ImageGc.Unused"/> chose (one in use by a container stays:
    /// podman refuses) and the dangling ones no container uses (what a load under a tag already
    /// taken leaves behind, release after release); prints "removed=NAME" and "dangling=N".
    /// </summary>
    public static string ImageRemove(PlatformPlan plan, IReadOnlyList<string> names)
    {
        var sb = new StringBuilder(Prelude(plan).Replace("set -e\n", ""));
        foreach (var n in names)
            sb.Append($"if {Podman(plan)} rmi {Q(n)} >/dev/null 2>&1; then echo removed={Q(n)}; fi\n");
        sb.Append($"echo \"dangling=$({Podman(plan)} image prune -f 2>/dev/null | grep -c . || true)\"\n");
        return sb.ToString();
    }

    /// <summary>
    /// A runc pod's health counts the unit's NRestarts, and systemd keeps that count across a
    /// restart asked for while the unit waits to restart a crashed app (its auto-restart state): a
    /// crash loop's count would pass to the next version. reset-failed zeroes it before the restart.
    /// </summary>
    static string ResetRestarts(PlatformPlan plan) =>
        plan.Unit == UnitKind.RuncService ? $"{plan.Systemctl} reset-failed {Q(plan.Service)} >/dev/null 2>&1 || true\n" : "";

    /// <summary>WaitStarted: the unit failed to start (stdout: "failed").</summary>
    public const int StartFailed = 2;

    /// <summary>
    /// Waits up to seconds for the start <see cref="Switch"/> queued: the service's invocation ID
    /// differs from the one the switch printed and the unit is active. Prints "started" (exit 0),
    /// "failed" (exit <see cref="StartFailed"/>: the start failed for good), or "waiting: STATE"
    /// (exit 1: ask again). Short on purpose: the old version's stop and the new one's start may take
    /// minutes, and a script that long would hide a cut link; the caller asks again until its budget
    /// ends, and the health check's own timeout starts once the new version runs.
    /// </summary>
    public static string WaitStarted(PlatformPlan plan, string startedAfter, int seconds)
    {
        var svc = Q(plan.Service);
        return Prelude(plan).Replace("set -e\n", "") +
            $"end=$(( $(date +%s) + {seconds.ToString(CultureInfo.InvariantCulture)} ))\n" +
            "while :; do\n" +
            $"  inv=$({plan.Systemctl} show -p InvocationID --value {svc}); st=$({plan.Systemctl} is-active {svc})\n" +
            // A runc pod's unit is active only while its app runs (Type=forking): an app that exits at
            // once leaves it between "activating" and auto-restart, never "active" nor "failed".
            (plan.Unit == UnitKind.RuncService ? $"  [ \"$st\" = activating ] && [ \"$({plan.Systemctl} show -p SubState --value {svc})\" = auto-restart ] && st=failed\n" : "") +
            $"  if [ -n \"$inv\" ] && [ \"$inv\" != {Q(startedAfter)} ]; then\n" +
            "    case \"$st\" in active) echo started; exit 0 ;; failed) echo failed; exit " + StartFailed.ToString(CultureInfo.InvariantCulture) + " ;; esac\n" +
            "  fi\n" +
            "  if [ \"$(date +%s)\" -ge \"$end\" ]; then echo \"waiting: $st\"; exit 1; fi\n" +
            "  sleep 0.2\n" +
            "done\n";
    }

    /// <summary>
    /// The health check, run on the node (bash, or python3 when the node has no bash): until
    /// timeout, every container of the pod must run and none may have restarted, and the fleet
    /// file's http/tcp check must pass from the node itself (no curl needed in the pod). Healthy
    /// means all of that held for settle seconds in a row. Prints "healthy" (exit 0) or
    /// "unhealthy: why" (exit <see cref="Unhealthy"/>). After a <see cref="Switch"/>, startedAfter is
    /// the invocation ID it printed: the check waits for a start newer than that (the restart is
    /// queued, and until it runs the old version would answer). A crash (a restart, a failed unit)
    /// fails at once.
    /// </summary>
    public static string HealthCheck(PlatformPlan plan, string pod, HealthSpec health, string address, int settleSeconds = 5, string? startedAfter = null)
    {
        var sb = new StringBuilder(Prelude(plan).Replace("set -e\n", ""));
        sb.Append($"end=$(( $(date +%s) + {(int)health.Timeout.TotalSeconds} )); since=''; fatal=0; why='not checked yet'; answered=''\n");
        sb.Append("check() {\n");
        if (startedAfter is not null)
            sb.Append($"  inv=$({plan.Systemctl} show -p InvocationID --value {Q(plan.Service)}); if [ -z \"$inv\" ] || [ \"$inv\" = {Q(startedAfter)} ]; then why={Q($"{plan.Service} has not started again yet")}; return 1; fi\n");
        sb.Append($"  st=$({plan.Systemctl} is-active {Q(plan.Service)}); case \"$st\" in active) ;; failed) why={Q($"{plan.Service} failed to start")}; fatal=1; return 1 ;; *) why=\"{plan.Service} is $st\"; return 1 ;; esac\n");
        if (plan.Unit == UnitKind.RuncService)
        {
            sb.Append($"  n=$({plan.Systemctl} show -p NRestarts --value {Q(plan.Service)}); [ \"${{n:-0}}\" = 0 ] || {{ why=\"restarted $n times\"; fatal=1; return 1; }}\n");
        }
        else
        {
            var podman = Podman(plan);
            sb.Append($"  names=$({podman} pod inspect {Q(pod)} --format '{{{{range .Containers}}}}{{{{.Name}}}} {{{{end}}}}' 2>/dev/null) || {{ why={Q($"pod {pod} does not exist")}; return 1; }}\n");
            sb.Append("  [ -n \"$names\" ] || { why='the pod has no containers'; return 1; }\n");
            sb.Append($"  states=$({podman} inspect --format '{{{{.Name}}}}={{{{.State.Status}}}}:{{{{.RestartCount}}}}' $names 2>/dev/null) || {{ why='cannot inspect the containers'; return 1; }}\n");
            sb.Append("  for s in $states; do\n");
            sb.Append("    case \"$s\" in\n");
            sb.Append("      *=running:0) ;;\n");
            sb.Append("      *=running:*) why=\"container ${s%%=*} restarted ${s##*:} times\"; fatal=1; return 1 ;;\n");
            sb.Append("      *) st=${s#*=}; why=\"container ${s%%=*} is ${st%%:*}\"; return 1 ;;\n");
            sb.Append("    esac\n");
            sb.Append("  done\n");
        }
        switch (health.Probe)
        {
            case HttpProbe http when plan.HealthShell == "bash":
                // bash's /dev/tcp: an HTTP/1.0 request by hand; 2xx and 3xx pass. A server that answers
                // and closes before reading the whole request (busybox httpd's 404) makes the kernel
                // reset the connection, and the answer can be lost with it (seen on harness nodes: 28
                // of 40 tries): connected with nothing back is asked again, up to three times.
                sb.Append("  n=0\n");
                sb.Append("  while [ \"$n\" -lt 3 ]; do\n");
                sb.Append("    n=$((n + 1))\n");
                sb.Append("    out=$(timeout 5 bash -c 'exec 3<>/dev/tcp/\"$1\"/\"$2\" || exit 1; echo connected; printf \"GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: vz-health\\r\\n\\r\\n\" \"$3\" \"$1\" >&3; head -n 1 <&3' " +
                    $"_ {Q(address)} {http.Port} {Q(http.Path)} 2>/dev/null | tr -d '\\r')\n");
                sb.Append("    [ \"$out\" = connected ] || break\n");
                sb.Append("  done\n");
                sb.Append("  line=$(echo \"$out\" | sed -n 2p)\n");
                sb.Append($"  [ -n \"$out\" ] || {{ why={Q($"nothing accepts on {address}:{http.Port}")}; return 1; }}\n");
                // A lost answer says less than one that came: once the server has answered with a
                // failing status, that status stays in the reason (the timeout reports the last check).
                sb.Append($"  [ -n \"$line\" ] || {{ why={Q($"no answer on {address}:{http.Port} (the connection closed or was reset)")}; [ -z \"$answered\" ] || why=\"$answered; the last try got no answer\"; return 1; }}\n");
                sb.Append("  code=$(echo \"$line\" | cut -d' ' -f2)\n");
                sb.Append($"  case \"$code\" in 2??|3??) ;; *) why=\"GET {http.Path} on port {http.Port} answered '$line'\"; answered=$why; return 1 ;; esac\n");
                break;
            case HttpProbe http:
                // Three tries, for the same reason as above.
                sb.Append($"  python3 -c 'import http.client,sys\nfor t in range(3):\n  try:\n    c=http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=5); c.request(\"GET\", sys.argv[3]); sys.exit(0 if 200 <= c.getresponse().status < 400 else 1)\n  except (ConnectionResetError, http.client.RemoteDisconnected): pass\nsys.exit(1)' {Q(address)} {http.Port} {Q(http.Path)} 2>/dev/null || {{ why={Q($"GET {http.Path} on port {http.Port} failed")}; return 1; }}\n");
                break;
            case TcpProbe tcp when plan.HealthShell == "bash":
                sb.Append($"  timeout 5 bash -c 'exec 3<>/dev/tcp/\"$1\"/\"$2\"' _ {Q(address)} {tcp.Port} 2>/dev/null || {{ why={Q($"nothing accepts on {address}:{tcp.Port}")}; return 1; }}\n");
                break;
            case TcpProbe tcp:
                sb.Append($"  python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)' {Q(address)} {tcp.Port} 2>/dev/null || {{ why={Q($"nothing accepts on {address}:{tcp.Port}")}; return 1; }}\n");
                break;
        }
        sb.Append("  return 0\n}\n");
        sb.Append("while :; do\n");
        // A restart is a crash: no point waiting for the timeout.
        // Healthy: every check passed for settle seconds (by the clock: a check itself takes time).
        sb.Append($"  if check; then [ -n \"$since\" ] || since=$(date +%s); if [ $(( $(date +%s) - since )) -ge {settleSeconds} ]; then echo healthy; exit 0; fi\n");
        sb.Append($"  else since=''; if [ \"$fatal\" = 1 ]; then echo \"unhealthy: $why\"; exit {Unhealthy}; fi; fi\n");
        sb.Append($"  if [ \"$(date +%s)\" -ge \"$end\" ]; then echo \"unhealthy: $why\"; exit {Unhealthy}; fi\n");
        sb.Append("  sleep 1\n");
        sb.Append("done\n");
        return sb.ToString();
    }
}
