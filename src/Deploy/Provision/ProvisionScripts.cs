namespace Vz.Deploy.Provision;

/// <summary>
/// The shell scripts node add runs on a node as root (POSIX sh; <see cref="AsRoot"/> wraps them for
/// the login user). Each is idempotent on its own, so a rerun after a failure in the middle completes.
/// Pure text: unit tests read exactly what would run.
/// </summary>
public static class ProvisionScripts
{
    /// <summary>Every script starts so: the C locale (outputs are parsed) and sbin on PATH (a non-root login's PATH lacks it).</summary>
    public const string Prelude = "export LC_ALL=C PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"\n";

    /// <summary>True when sshd_config reads the drop-in directory (Debian, Ubuntu, RHEL 9 do; RHEL 8 does not).</summary>
    public const string SshdIncludes = "grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/\\*\\.conf' /etc/ssh/sshd_config";

    /// <summary>Runs a script as root: directly when logged in as root, else through passwordless sudo.</summary>
    public static string AsRoot(string script, bool loggedInAsRoot) =>
        loggedInAsRoot ? "sh -c " + Sh.Quote(script) : "sudo -n sh -c " + Sh.Quote(script);

    internal const string Apt = "DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

    /// <summary>Installs packages (without Recommends on apt, which would pull buildah and more onto a 512 MB node).</summary>
    public static string Install(NodeOs os, IReadOnlyList<string> packages)
    {
        var words = string.Join(' ', packages.Select(Sh.Quote));
        return Prelude + "set -e\n" + (os.Family == OsFamily.Debian
            ? $"apt-get -q update\n{Apt} install --no-install-recommends {words}\n"
            : $"dnf -y install {words}\n");
    }

    /// <summary>EPEL, where the RHEL family's xdelta3 comes from (EL9 only: EPEL 8 has no xdelta).</summary>
    public static string Epel(NodeOs os) => Prelude + "set -e\n" + (os.Distro == Distro.Rhel
        ? $"dnf -y install https://dl.fedoraproject.org/pub/epel/epel-release-latest-{os.Major}.noarch.rpm\n"
        : "dnf -y install epel-release\n");

    public static string CreateUser(string user) =>
        Prelude + $"getent passwd {Sh.Quote(user)} >/dev/null || useradd --create-home --shell /bin/bash {Sh.Quote(user)}\n";

    /// <summary>Subordinate uids and gids for rootless podman, where useradd gave none (<paramref name="start"/> is a free range).</summary>
    public static string SubIds(string user, long start, long count)
    {
        var u = Sh.Quote(user);
        var range = $"{start}-{start + count - 1}";
        return Prelude + "set -e\ntouch /etc/subuid /etc/subgid\n" +
            $"grep -q '^'{u}':' /etc/subuid || usermod --add-subuids {range} {u}\n" +
            $"grep -q '^'{u}':' /etc/subgid || usermod --add-subgids {range} {u}\n";
    }

    /// <summary>Adds the key to the user's authorized_keys once (0700 .ssh, 0600 file, the user's; SELinux labels restored).</summary>
    public static string AuthorizeKey(string user, string line, string blob)
    {
        var u = Sh.Quote(user);
        return Prelude + "set -e\n" +
            $"h=$(getent passwd {u} | cut -d: -f6); g=$(id -gn {u}); f=\"$h/.ssh/authorized_keys\"\n" +
            $"install -d -m 700 -o {u} -g \"$g\" \"$h/.ssh\"\n" +
            "touch \"$f\"\n" +
            // A last line without its newline would run into the key appended after it.
            "if [ -s \"$f\" ] && [ -n \"$(tail -c 1 \"$f\")\" ]; then echo >> \"$f\"; fi\n" +
            $"grep -qF {Sh.Quote(blob)} \"$f\" || printf '%s\\n' {Sh.Quote(line)} >> \"$f\"\n" +
            $"chown {u}:\"$g\" \"$f\"; chmod 600 \"$f\"\n" +
            RestoreLabels("\"$h/.ssh\"");
    }

    /// <summary>
    /// Writes the sudoers file beside its place under a name sudo skips (it has a '.'), checks it with
    /// visudo -cf, moves it in, and checks the whole configuration again (taking it out if that fails).
    /// </summary>
    public static string Sudoers(string user, string content)
    {
        var path = NodeFiles.SudoersPath(user);
        var tmp = $"/etc/sudoers.d/.vz-{user}.new";
        return Prelude + "set -e\n" +
            $"t={Sh.Quote(tmp)}; f={Sh.Quote(path)}\n" +
            "mkdir -p /etc/sudoers.d\n" +
            $"printf '%s' {Sh.Quote(content)} > \"$t\"\n" +
            "chown root:root \"$t\"; chmod 440 \"$t\"\n" +
            "if ! visudo -cf \"$t\"; then rm -f \"$t\"; echo \"visudo rejected the sudoers file for $f\" >&2; exit 1; fi\n" +
            "mv -f \"$t\" \"$f\"\n" +
            "if ! visudo -c >/dev/null; then rm -f \"$f\"; echo 'visudo -c failed with the new file in place; it was removed' >&2; exit 1; fi\n" +
            RestoreLabels("\"$f\"");
    }

    public static string Linger(string user) => Prelude + $"loginctl enable-linger {Sh.Quote(user)}\n";

    /// <summary>Keeps the ssh port open in firewalld, now and after a reload or reboot.</summary>
    public static string FirewalldKeepSsh(int port)
    {
        var rule = port == 22 ? "--add-service=ssh" : $"--add-port={port}/tcp";
        return Prelude + "set -e\n" + $"firewall-cmd {rule} >/dev/null\nfirewall-cmd --permanent {rule} >/dev/null\n";
    }

    /// <summary>
    /// Makes the directory the vzpatch upload goes to (the deploy user's image store, as push finds it)
    /// and returns it through stdout; the upload, its sha256 check and the move are in <see cref="InstallVzpatch"/>.
    /// </summary>
    public static string PrepareVzpatch(string user) =>
        Prelude + "set -e\n" + $"h=$(getent passwd {Sh.Quote(user)} | cut -d: -f6)\nmkdir -p \"$h/.vz/images/.vz\"\necho \"$h/.vz/images/.vz\"\n";

    /// <summary>Checks the uploaded vzpatch's sha256, makes it executable, moves it to its name and gives the user the store.</summary>
    public static string InstallVzpatch(string user, string dir, string fileName, string sha256)
    {
        var part = $"{dir}/{fileName}.part";
        var u = Sh.Quote(user);
        return Prelude + "set -e\n" +
            $"p={Sh.Quote(part)}\n" +
            $"if [ \"$(sha256sum < \"$p\" | cut -d' ' -f1)\" != {sha256} ]; then rm -f \"$p\"; echo 'the vzpatch upload is damaged' >&2; exit 1; fi\n" +
            $"chmod 755 \"$p\"; mv -f \"$p\" {Sh.Quote($"{dir}/{fileName}")}\n" +
            $"chown -R {u}:\"$(id -gn {u})\" \"$(dirname \"$(dirname {Sh.Quote(dir)})\")\"\n";
    }

    /// <summary>
    /// Turns password logins off: the drop-in goes in (sshd_config first made to include the drop-in
    /// directory, where it does not), <c>sshd -t</c> must accept the whole configuration and
    /// <c>sshd -T</c> must show keys only (no earlier file overriding); otherwise everything is taken
    /// back before sshd ever reloads. Only then is sshd reloaded; the caller's session stays open.
    /// Exit 3: sshd -t failed; 4: another setting wins (the files setting it named); 5: sshd did not reload. Each prints one line.
    /// </summary>
    public static string KeysOnly(NodeOs os, string content, bool addInclude) =>
        Prelude +
        $"f={NodeFiles.SshdDropIn}; t=/etc/ssh/sshd_config.d/.01-vz.conf.new; c=/etc/ssh/sshd_config\n" +
        "mkdir -p /etc/ssh/sshd_config.d\n" +
        $"printf '%s' {Sh.Quote(content)} > \"$t\" && chmod 600 \"$t\" || exit 1\n" +
        "if [ -f \"$f\" ]; then cp -p \"$f\" \"$f.vz-old\"; fi\n" +
        (addInclude
            ? "cp -p \"$c\" \"$c.vz-old\"\n" +
              // The first value of a keyword wins in sshd, so the Include goes on top.
              "{ echo 'Include /etc/ssh/sshd_config.d/*.conf'; cat \"$c.vz-old\"; } > \"$c.vz-new\" && chmod --reference=\"$c.vz-old\" \"$c.vz-new\" && mv -f \"$c.vz-new\" \"$c\" || exit 1\n"
            : "") +
        "mv -f \"$t\" \"$f\"\n" +
        RestoreLabels("\"$f\" \"$c\"") +
        "back() { if [ -f \"$f.vz-old\" ]; then mv -f \"$f.vz-old\" \"$f\"; else rm -f \"$f\"; fi; if [ -f \"$c.vz-old\" ]; then mv -f \"$c.vz-old\" \"$c\"; fi; }\n" +
        "if ! err=$(sshd -t 2>&1); then back; echo \"sshd -t: $(echo \"$err\" | tr '\\n' ' ')\" >&2; exit 3; fi\n" +
        "eff=$(sshd -T 2>/dev/null)\n" +
        "if ! echo \"$eff\" | grep -qx 'passwordauthentication no' " +
        "|| echo \"$eff\" | grep -qx 'kbdinteractiveauthentication yes' " +
        "|| ! echo \"$eff\" | grep -Eqx 'permitrootlogin (prohibit-password|without-password|no)'; then\n" +
        "  back\n" +
        "  setby=$(grep -Eil '^[[:space:]]*(PasswordAuthentication|KbdInteractiveAuthentication|ChallengeResponseAuthentication|PermitRootLogin)[[:space:]]' \"$c\" /etc/ssh/sshd_config.d/*.conf 2>/dev/null | tr '\\n' ' ')\n" +
        "  echo \"sshd would still allow passwords ($(echo \"$eff\" | grep -E '^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin) ' | tr '\\n' ' ')); set in: $setby\" >&2\n" +
        "  exit 4\nfi\n" +
        $"if ! err=$(systemctl reload {SshService(os)} 2>&1); then back; echo \"systemctl reload {SshService(os)}: $(echo \"$err\" | tr '\\n' ' ')\" >&2; exit 5; fi\n" +
        "rm -f \"$f.vz-old\" \"$c.vz-old\"\n";

    /// <summary>Takes the keys-only drop-in back out and reloads sshd: the key login after the reload failed.</summary>
    public static string KeysOnlyUndo(NodeOs os) =>
        Prelude + $"rm -f {NodeFiles.SshdDropIn}\nsystemctl reload {SshService(os)}\n";

    /// <summary>The ssh daemon's unit: "ssh" on Debian and Ubuntu, "sshd" on the RHEL family.</summary>
    public static string SshService(NodeOs os) => os.Family == OsFamily.Debian ? "ssh" : "sshd";

    /// <summary>Files written by a shell get the label of /tmp or of their parent; sshd and sudo need theirs (SELinux only).</summary>
    static string RestoreLabels(string paths) =>
        $"if command -v selinuxenabled >/dev/null && selinuxenabled; then restorecon -RF {paths}; fi\n";
}
