using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Tests.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests.Layout;

/// <summary>
/// The node scripts as text. Running them (sh -n, and for real on harness nodes) belongs to
/// tests/Integration.Tests; here: the golden bytes, and the properties each must keep.
/// </summary>
public class PodScriptsTests
{
    static readonly Vz.Deploy.Pods.PodManifest Web = Nodes.Manifest("issue9/pods/web.yaml");
    static readonly (PlatformPlan Plan, NodeLayout Layout) Debian12 = Nodes.On("debian-12", Web);
    static readonly (PlatformPlan Plan, NodeLayout Layout) Rocky9 = Nodes.On("rocky-9", Web);
    /// <summary><paramref name="first"/> occurs in <paramref name="text"/>, and before <paramref name="then"/> (which occurs too).</summary>
    static void Before(string text, string first, string then)
    {
        var (a, b) = (text.IndexOf(first, StringComparison.Ordinal), text.IndexOf(then, StringComparison.Ordinal));
        Assert.True(a >= 0 && b >= 0 && a < b, $"'{first}' ({a}) should come before '{then}' ({b})");
    }

    static readonly LockOwner Owner = new("t0k3n", "alice@laptop", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), "deploy web");

    [Fact]
    public void TheLayoutPutsEverythingUnderTheUsersVzDirectory()
    {
        var l = Debian12.Layout;
        Assert.Equal("/root/.vz/images/web", l.ImageDir("localhost/web:1"));
        Assert.Equal("/root/.vz/pods/web/releases/0123456789abcdef", l.Release("web", "0123456789abcdef"));
        Assert.Equal("/root/.vz/pods/web/current/pod.yaml", l.CurrentManifest("web"));
        Assert.Equal("/root/.vz/secrets/web/db", l.SecretDir("web", "db"));
        Assert.Equal("/root/.vz/lock/owner", l.LockOwner);
        Assert.Equal("/srv/vz/web", new NodeLayout("/root", "/srv/vz").ImageDir("localhost/web:2"));
        Assert.Equal("/home/rocky/.vz/history.log", Rocky9.Layout.History);
    }

    [Fact]
    public void TheLockIsTakenWithMkdirAndNamesItsHolderWhenHeld()
    {
        var s = PodScripts.LockTake(Debian12.Layout, Owner, 30);
        Assert.Contains("while ! mkdir /root/.vz/lock 2>/dev/null; do", s);
        Assert.Contains("-ge 30 ]; then echo held-by; cat /root/.vz/lock/owner", s);
        Assert.Contains($"exit {PodScripts.LockHeld};", s);
        Assert.Contains("'token=t0k3n\nwho=alice@laptop\nwhen=2025-01-02T03:04:05Z\nwhat=deploy web\n' > /root/.vz/lock/owner", s);
        Assert.Equal(Owner, LockOwner.Parse(Owner.Render()));
    }

    [Fact]
    public void ReleasingTheLockChecksItsTokenAndBreakingItDoesNot()
    {
        Assert.Equal("if grep -qx token=t0k3n /root/.vz/lock/owner 2>/dev/null; then rm -rf /root/.vz/lock; fi\n", PodScripts.LockRelease(Debian12.Layout, "t0k3n"));
        Assert.DoesNotContain("token", PodScripts.LockBreak(Debian12.Layout));
    }

    [Fact]
    public void TheRestoreScriptOnDebian12IsTheGoldenFile() =>
        Golden.Match("restore.debian-12.sh", PodScripts.RestoreScript(Debian12.Layout, Debian12.Plan, "web", Web.SecretNames));

    [Fact]
    public void TheRestoreScriptOfARootlessQuadletPodUsesTheUsersManager()
    {
        var s = PodScripts.RestoreScript(Rocky9.Layout, Rocky9.Plan, "web", Web.SecretNames);
        Golden.Match("restore.rocky-9-rootless.sh", s);
        Assert.Contains("exec systemctl --user restart vz-web.service", s);
        Assert.Contains("XDG_RUNTIME_DIR=", s);
        Assert.Contains("/home/rocky/.config/containers/systemd/vz-web.kube", s);
        Assert.DoesNotContain("disable", s);
    }

    [Fact]
    public void TheDeadmanIsATransientTimerArmedWithThePendingRecord()
    {
        var s = PodScripts.DeadmanArm(Debian12.Layout, Debian12.Plan, "web", "aaaa", "bbbb", TimeSpan.FromMinutes(3));
        Assert.Contains("systemd-run --unit=vz-deadman-web --on-active=180 --timer-property=AccuracySec=1s", s);
        Assert.Contains("/bin/sh /root/.vz/pods/web/restore.sh deadman", s);
        Assert.Contains("' aaaa bbbb \"$prev\" " + PodScripts.BootMarker, s);
        Assert.Contains("else prev=$(readlink /root/.vz/pods/web/previous", s);
        Assert.Contains("systemd-run --user", PodScripts.DeadmanArm(Rocky9.Layout, Rocky9.Plan, "web", null, "bbbb", TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public void TheSwitchInstallsTheUnitMovesTheLinksUnderTheLockAndRestarts()
    {
        var s = PodScripts.Switch(Debian12.Layout, Debian12.Plan, "web", "bbbb");
        Golden.Match("switch.debian-12.sh", s);
        Before(s, "flock 9", "mv -Tf current.tmp current");
        Before(s, "exec 9>&-", "systemctl restart");
        // Queued, not waited for; the invocation ID before it lets the health check tell the new start from the old.
        Before(s, "show -p InvocationID --value vz-web.service", "systemctl restart --no-block vz-web.service");
        Assert.Contains("systemctl enable vz-web.service", s);
        var quadlet = PodScripts.Switch(Rocky9.Layout, Rocky9.Plan, "web", "bbbb");
        Assert.DoesNotContain("enable", quadlet);
        Assert.Contains("systemctl --user restart --no-block vz-web.service", quadlet);
    }

    [Fact]
    public void ARootlessSwitchEnablesLingerWhenTheProbeFoundItOff()
    {
        var (plan, layout) = Nodes.On("debian-12-rootless", Web);
        Assert.StartsWith("set -e\nXDG_RUNTIME_DIR=", PodScripts.Switch(layout, plan, "web", "b"));
        Assert.Contains("\nloginctl enable-linger \"$(id -un)\"\n", PodScripts.Switch(layout, plan, "web", "b"));
        Assert.DoesNotContain("sudo", PodScripts.Switch(layout, plan, "web", "b")); // this user has none
    }

    [Fact]
    public void ARootlessSwitchWithSudoEnablesLingerThroughItWhenLogindRefusesTheUser()
    {
        // Seen on bookworm as node add's user: "Could not enable linger: Access denied" (no polkit).
        var manifest = Web with { Containers = [Web.Containers[0] with { Resources = new Vz.Deploy.Pods.Resources(null, null, null) }] };
        var f = Nodes.Facts("debian-12-rootless-node-captured") with { Linger = false };
        var plan = PlatformDecisions.Decide(f, new NodeSettings(), Nodes.Entry("web"), manifest, "n1");
        var s = PodScripts.Switch(NodeLayout.For(f, new NodeSettings()), plan, "web", "b");
        Assert.Contains("\nloginctl enable-linger \"$(id -un)\" 2>/dev/null || sudo -n loginctl enable-linger \"$(id -un)\"\n", s);
    }

    [Fact]
    public void ConfirmStopsTheTimerThenChecksItDidNotRestoreMeanwhile()
    {
        var h = new HistoryEntry(Owner.When, "web", HistoryEvent.Update, "bbbb", "alice@laptop", "from aaaa");
        var s = PodScripts.Confirm(Debian12.Layout, Debian12.Plan, "web", "bbbb", h);
        Before(s, "stop vz-deadman-web.timer", "flock 9");
        Assert.Contains($"!= releases/bbbb ]; then echo restored-by-deadman; exit {PodScripts.AlreadyRestored}; fi", s);
        Assert.Contains("'2025-01-02T03:04:05Z\tweb\tupdate\tbbbb\talice@laptop\tfrom aaaa\n' >> /root/.vz/history.log", s);
        Assert.Equal(h, HistoryEntry.Parse(h.Render()));
    }

    [Fact]
    public void TheHttpHealthCheckRunsFromTheNodeWithBashAndNeedsNoCurl()
    {
        var spec = new HealthSpec(new HttpProbe(8080, "/healthz", 1), TimeSpan.FromSeconds(60));
        var s = PodScripts.HealthCheck(Debian12.Plan, "web", spec, "127.0.0.1");
        Golden.Match("health.debian-12-http.sh", s);
        Assert.Contains("exec 3<>/dev/tcp/", s);
        Assert.DoesNotContain("curl", s);
        Assert.Contains("end=$(( $(date +%s) + 60 ))", s);
        Assert.Contains("{{.Name}}={{.State.Status}}:{{.RestartCount}}", s);
    }

    [Fact]
    public void AfterASwitchTheHealthCheckWaitsForANewStartOfTheUnitAndACrashFailsAtOnce()
    {
        var spec = new HealthSpec(new HttpProbe(8080, "/", 1), TimeSpan.FromSeconds(60));
        var s = PodScripts.HealthCheck(Debian12.Plan, "web", spec, "127.0.0.1", startedAfter: "0123abcd");
        Assert.Contains("inv=$(systemctl show -p InvocationID --value vz-web.service); if [ -z \"$inv\" ] || [ \"$inv\" = 0123abcd ]; then", s);
        Assert.Contains("failed) why='vz-web.service failed to start'; fatal=1", s);
        Assert.Contains("restarted ${s##*:} times\"; fatal=1", s);
        Assert.Contains("if [ \"$fatal\" = 1 ]; then echo \"unhealthy: $why\"; exit 1; fi", s);
        Assert.DoesNotContain("InvocationID", PodScripts.HealthCheck(Debian12.Plan, "web", spec, "127.0.0.1"));
    }

    [Fact]
    public void WaitingForTheQueuedStartIsShortAndTellsAFailedStartFromOneStillComing()
    {
        var s = PodScripts.WaitStarted(Debian12.Plan, "0123abcd", 15);
        Assert.Contains("end=$(( $(date +%s) + 15 ))", s);
        Assert.Contains("if [ -n \"$inv\" ] && [ \"$inv\" != 0123abcd ]; then", s);
        Assert.Contains($"failed) echo failed; exit {PodScripts.StartFailed} ;;", s);
        Assert.Contains("echo \"waiting: $st\"; exit 1", s);
        Assert.DoesNotContain("set -e", s);
    }

    [Fact]
    public void AnHttpAnswerLostToAResetIsAskedForAgainButARefusedConnectionIsNot()
    {
        var s = PodScripts.HealthCheck(Debian12.Plan, "web", new HealthSpec(new HttpProbe(8080, "/", 1), TimeSpan.FromSeconds(60)), "127.0.0.1");
        Assert.Contains("while [ \"$n\" -lt 3 ]; do", s);
        Assert.Contains("[ \"$out\" = connected ] || break", s);
        Assert.Contains("why='nothing accepts on 127.0.0.1:8080'", s);
        Assert.Contains("(the connection closed or was reset)", s);
        // A failing status once seen stays in the reason when a later try's answer is lost.
        Assert.Contains("answered '$line'\"; answered=$why; return 1", s);
        Assert.Contains("[ -z \"$answered\" ] || why=\"$answered; the last try got no answer\"", s);
        var python = PodScripts.HealthCheck(Debian12.Plan with { HealthShell = "python3" }, "web", new HealthSpec(new HttpProbe(8080, "/", 1), TimeSpan.FromSeconds(60)), "127.0.0.1");
        Assert.Contains("for t in range(3):", python);
        Assert.Contains("except (ConnectionResetError, http.client.RemoteDisconnected): pass", python);
    }

    [Fact]
    public void AnAttemptAfterABrokenLinkTakesItsOwnLockAgain()
    {
        var s = PodScripts.LockTake(Debian12.Layout, Owner, 30);
        Assert.True(s.IndexOf("if grep -qx token=t0k3n /root/.vz/lock/owner 2>/dev/null; then echo taken; exit 0; fi", StringComparison.Ordinal)
            < s.IndexOf("while ! mkdir", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSaltIsItsOwnScriptMadeOnceAndPrinted()
    {
        var s = PodScripts.Salt(Debian12.Layout);
        Assert.Contains("[ -s /root/.vz/secrets/.salt ] || head -c 32 /dev/urandom", s);
        Assert.Contains("echo \"salt=$(cat /root/.vz/secrets/.salt)\"", s);
        Assert.Contains("umask 077", s);
        Assert.DoesNotContain(".salt", PodScripts.Prepare(Debian12.Layout, "web", "bbbb"));
    }

    [Fact]
    public void VzsOwnRollbackRunsTheDeadmansRestoreAtOnceAndStopsTheTimer()
    {
        var s = PodScripts.RestoreScript(Debian12.Layout, Debian12.Plan, "web", Web.SecretNames);
        Assert.Contains("mode=${1:-deadman}; why=${2:-not confirmed}", s);
        Assert.Contains("if [ \"$mode\" = rollback ] || [ \"$mode\" = remove ]; then systemctl stop vz-deadman-web.timer", s);
        Assert.Contains("case \"$mode\" in boot) ev=boot-rollback ;; rollback) ev=rollback ;; *) ev=auto-rollback ;; esac", s);
        // previous goes back to what it named before the switch, never the failed release.
        Assert.Contains("if [ -n \"$prev\" ] && [ -d \"releases/$prev\" ]; then ln -sfn \"releases/$prev\" previous.tmp", s);
        Assert.DoesNotContain("ln -sfn \"releases/$to\" previous", s);
        // A first release's removal: the unit stops (kube down reads the manifest through current) before current goes.
        var first = s[s.IndexOf("first release $to removed", StringComparison.Ordinal)..];
        Assert.True(first.IndexOf("systemctl stop vz-web.service", StringComparison.Ordinal) < first.LastIndexOf("rm -f current", StringComparison.Ordinal));
        Assert.EndsWith("if [ \"$(readlink current 2>/dev/null)\" = \"releases/$to\" ]; then rm -f current; fi\n", s);
    }

    [Fact]
    public void RemoveStopsAndRemovesTheUnitAndSecretsThroughThePodsOwnRestoreAndKeepsTheRecords()
    {
        var restore = PodScripts.RestoreScript(Debian12.Layout, Debian12.Plan, "web", ["db", "token"]);
        var mode = restore[restore.IndexOf("if [ \"$mode\" = remove ]; then\n", StringComparison.Ordinal)..restore.IndexOf("[ -f pending ] || exit 0", StringComparison.Ordinal)];
        // Under the pod's .switch lock, after the unit stopped (outside it: a crash loop's next start takes it):
        // current and previous go, the history line names the release and who.
        Before(mode, "daemon-reload", "flock 9");
        Before(mode, "flock 9", "rm -f current");
        Before(restore, "flock 9", "[ -f pending ] || exit 0");
        Assert.Contains("rm -f current previous pending", mode);
        // kube down on the unit's stop reads the manifest through current: the unit stops before current goes.
        Before(mode, "systemctl stop vz-web.service", "rm -f current");
        Assert.Contains("web remove \"${cur:--}\" \"${3:-node}\" \"$why\" >> /root/.vz/history.log", mode);
        Assert.Contains("  systemctl stop vz-web.service || true\n  systemctl disable vz-web.service >/dev/null 2>&1 || true\n  rm -f /etc/systemd/system/vz-web.service\n  systemctl daemon-reload\n", mode);
        Assert.Contains("if [ -d /root/.vz/secrets/web ]; then rm -rf /root/.vz/secrets/web 2>/dev/null || /usr/bin/podman unshare rm -rf /root/.vz/secrets/web; fi", mode);
        Assert.Contains("for s in vz-web-db vz-web-token; do /usr/bin/podman secret rm \"$s\"", mode);
        Assert.DoesNotContain("volume", mode);
        Assert.EndsWith("  exit 0\nfi\nexec 9> .switch\nflock 9\n", mode);
        Assert.DoesNotContain("secret rm", PodScripts.RestoreScript(Debian12.Layout, Debian12.Plan, "web", []));

        var remove = PodScripts.Remove(Debian12.Layout, "web", "no longer placed on n1", "alice@laptop");
        Assert.Contains("echo \"release=$(readlink /root/.vz/pods/web/current 2>/dev/null | sed 's#^releases/##')\"", remove);
        // A restore.sh without the remove mode would take "remove" for its deadman mode: refused, nothing changed.
        Assert.Contains($"grep -q 'modes: .*remove WHY WHO' /root/.vz/pods/web/restore.sh || {{ echo 'its restore.sh predates removal'; exit {PodScripts.RemoveUnknown}; }}", remove);
        Assert.Matches("modes: .*remove WHY WHO", restore);
        Assert.Contains("/bin/sh /root/.vz/pods/web/restore.sh remove 'no longer placed on n1' alice@laptop\n", remove);
        Assert.Contains("mv -T /root/.vz/pods/web /root/.vz/removed/web.\"$(date -u +%Y%m%dT%H%M%SZ)\"", remove);
        Before(remove, "restore.sh remove", "mv -T");
    }

    [Fact]
    public void TheBootMarkerChangesWithInitNotOnlyWithTheKernel()
    {
        Assert.Contains("/proc/sys/kernel/random/boot_id", PodScripts.BootMarker);
        Assert.Contains("/proc/1/stat", PodScripts.BootMarker);
        Assert.Contains("[ \"$boot\" = " + PodScripts.BootMarker + " ]", PodScripts.RestoreScript(Debian12.Layout, Debian12.Plan, "web", Web.SecretNames));
    }

    [Fact]
    public void WithoutBashTheHealthCheckUsesPython3()
    {
        var plan = Debian12.Plan with { HealthShell = "python3" };
        var s = PodScripts.HealthCheck(plan, "web", new HealthSpec(new TcpProbe(5432, 1), TimeSpan.FromSeconds(30)), "127.0.0.1");
        Assert.Contains("python3 -c 'import socket,sys; socket.create_connection", s);
        Assert.DoesNotContain("/dev/tcp", s);
    }

    [Fact]
    public void ARuncPodsHealthComesFromSystemdNotPodman()
    {
        var (plan, _) = Nodes.On("debian-12", Web, runtime: PodRuntime.Runc);
        var s = PodScripts.HealthCheck(plan, "web", new HealthSpec(null, TimeSpan.FromSeconds(20)), "127.0.0.1");
        Assert.Contains("systemctl show -p NRestarts --value vz-web.service", s);
        Assert.DoesNotContain("podman", s);
    }

    [Fact]
    public void ASecretVolumeIsOwnedByTheContainersUserAndNoValueIsInTheScript()
    {
        var root = PodScripts.InstallSecret(Debian12.Layout, Debian12.Plan, "web", "db",
            [("password", "/root/.vz/secrets/.incoming/web.db.password")], 1000, 1000, null);
        Assert.Contains("chmod 400 /root/.vz/secrets/web/.db.new/password", root);
        Assert.Contains("chown -R 1000:1000 /root/.vz/secrets/web/.db.new", root);
        Assert.Contains("umask 077", root);
        var rootless = PodScripts.InstallSecret(Rocky9.Layout, Rocky9.Plan, "web", "db",
            [("password", "/home/rocky/.vz/secrets/.incoming/web.db.password")], 1000, null, "/home/rocky/.vz/secrets/.incoming/web.db.json");
        Assert.Contains("/usr/bin/podman unshare chown -R 1000 /home/rocky/.vz/secrets/web/.db.new", rootless);
        Assert.Contains("/usr/bin/podman unshare rm -rf /home/rocky/.vz/secrets/web/.db.old", rootless);
        Assert.Contains("/usr/bin/podman secret create vz-web-db /home/rocky/.vz/secrets/.incoming/web.db.json >/dev/null", rootless);
        Assert.Contains("rm -f /home/rocky/.vz/secrets/.incoming/web.db.json", rootless);
    }

    [Fact]
    public void ARootlessSecretReadByContainerRootNeedsNoChown() =>
        Assert.DoesNotContain("chown", PodScripts.InstallSecret(Rocky9.Layout, Rocky9.Plan, "web", "db", [("k", "/u")], 0, null, null));

    [Fact]
    public void InstallReleaseVerifiesEveryUploadedFileBeforeMovingItIntoPlace()
    {
        var s = PodScripts.InstallRelease(Debian12.Layout, "web", "bbbb", [KeyValuePair.Create("pod.yaml", "aa"), KeyValuePair.Create("unit", "bb")]);
        Assert.Contains("sha256sum < /root/.vz/pods/web/releases/bbbb.part/pod.yaml | cut -d' ' -f1)\" = aa ] || { echo 'bad upload: pod.yaml'; exit 65; }", s);
        Before(s, "unit | cut", "mv /root/.vz/pods/web/releases/bbbb.part");
    }

    [Fact]
    public void TheReleaseDigestCoversContentNotWhoOrWhen()
    {
        var r = new ReleaseRecord
        {
            Pod = "web", Manifest = "m1", Unit = "u1",
            Images = [KeyValuePair.Create("localhost/web:1", "a1")],
            Who = "alice", When = Owner.When,
        };
        Assert.Equal(r.Digest, (r with { Who = "bob", When = DateTimeOffset.UnixEpoch }).Digest);
        Assert.NotEqual(r.Digest, (r with { Images = [KeyValuePair.Create("localhost/web:1", "a2")] }).Digest);
        Assert.NotEqual(r.Digest, (r with { Secrets = "s" }).Digest);
        Assert.Equal(16, r.Id.Length);
        var back = ReleaseRecord.Parse(r.Render())!;
        Assert.Equal((r.Digest, "alice", Owner.When), (back.Digest, back.Who, back.When));
    }
}
