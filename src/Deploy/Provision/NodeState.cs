using System.Globalization;

namespace Vz.Deploy.Provision;

/// <summary>
/// What node add finds on a node before it changes anything: read by <see cref="Probe"/> (POSIX sh,
/// run as root) and parsed by <see cref="Parse"/>. The planner compares it with what the node should
/// be, so a second run finds nothing to do.
/// </summary>
public sealed record NodeState
{
    /// <summary>The deploy user's home, or null when the user does not exist yet.</summary>
    public string? Home { get; init; }
    public bool KeyAuthorized { get; init; }
    /// <summary>sha256 of the user's sudoers.d file, null when absent.</summary>
    public string? SudoersSha { get; init; }
    /// <summary>sha256 of vz's sshd drop-in, null when absent.</summary>
    public string? DropInSha { get; init; }
    /// <summary>sshd_config includes sshd_config.d/*.conf (RHEL 8's does not).</summary>
    public bool SshdIncludesDropIns { get; init; }
    /// <summary>Of the packages asked about, those installed.</summary>
    public IReadOnlySet<string> Installed { get; init; } = new HashSet<string>();
    public bool Linger { get; init; }
    public bool SubUid { get; init; }
    public bool SubGid { get; init; }
    /// <summary>Every subordinate id range already given out (/etc/subuid and /etc/subgid), to pick a free one.</summary>
    public IReadOnlyList<(long Start, long Count)> SubIdRanges { get; init; } = [];
    public bool FirewalldActive { get; init; }
    /// <summary>firewalld's permanent configuration keeps the ssh port open.</summary>
    public bool FirewallKeepsSsh { get; init; }
    public bool Selinux { get; init; }
    /// <summary>The request's vzpatch is in the user's image store, executable.</summary>
    public bool Vzpatch { get; init; }
    /// <summary>What sshd -T says: passwordauthentication, kbdinteractiveauthentication, permitrootlogin.</summary>
    public IReadOnlyDictionary<string, string> Sshd { get; init; } = new Dictionary<string, string>();

    /// <summary>sshd refuses passwords and keyboard-interactive logins, and root logs in with a key or not at all.</summary>
    public bool KeysOnly =>
        Sshd.GetValueOrDefault("passwordauthentication") == "no"
        && Sshd.GetValueOrDefault("kbdinteractiveauthentication", "no") == "no"
        && Sshd.GetValueOrDefault("permitrootlogin") is "prohibit-password" or "without-password" or "no";

    /// <summary>The probe for <paramref name="request"/> on <paramref name="os"/>: key=value lines, any exit code.</summary>
    public static string Probe(NodeOs os, ProvisionRequest request, IReadOnlyList<string> packages)
    {
        var user = Sh.Quote(request.User);
        var query = os.Family == OsFamily.Debian
            ? "dpkg-query -W -f='${Status}' \"$p\" 2>/dev/null | grep -q 'install ok installed'"
            : "rpm -q \"$p\" >/dev/null 2>&1";
        var firewall = request.SshPort == 22
            ? "firewall-cmd --permanent --query-service=ssh >/dev/null 2>&1 || firewall-cmd --permanent --query-port=22/tcp >/dev/null 2>&1"
            : $"firewall-cmd --permanent --query-port={request.SshPort}/tcp >/dev/null 2>&1";
        var vzpatch = request.Vzpatch is { } v ? $"if [ -n \"$h\" ] && [ -x \"$h/.vz/images/.vz/{v.FileName}\" ]; then echo vzpatch=1; fi\n" : "";
        return ProvisionScripts.Prelude +
            $"u={user}\n" +
            "h=$(getent passwd \"$u\" | cut -d: -f6)\n" +
            "if [ -n \"$h\" ]; then echo \"home=$h\"; fi\n" +
            $"if [ -n \"$h\" ] && [ -f \"$h/.ssh/authorized_keys\" ] && grep -qF {Sh.Quote(request.KeyBlob)} \"$h/.ssh/authorized_keys\"; then echo key=1; fi\n" +
            $"f={Sh.Quote(NodeFiles.SudoersPath(request.User))}; if [ -f \"$f\" ]; then echo \"sudoers=$(sha256sum < \"$f\" | cut -d' ' -f1)\"; fi\n" +
            $"f={NodeFiles.SshdDropIn}; if [ -f \"$f\" ]; then echo \"dropin=$(sha256sum < \"$f\" | cut -d' ' -f1)\"; fi\n" +
            $"if {ProvisionScripts.SshdIncludes}; then echo include=1; fi\n" +
            $"for p in {string.Join(' ', packages.Select(Sh.Quote))}; do if {query}; then echo \"pkg=$p\"; fi; done\n" +
            "if [ -f \"/var/lib/systemd/linger/$u\" ]; then echo linger=1; fi\n" +
            "if grep -q \"^$u:\" /etc/subuid 2>/dev/null; then echo subuid=1; fi\n" +
            "if grep -q \"^$u:\" /etc/subgid 2>/dev/null; then echo subgid=1; fi\n" +
            "cat /etc/subuid /etc/subgid 2>/dev/null | awk -F: 'NF >= 3 {print \"subids=\" $2 \":\" $3}'\n" +
            $"if [ \"$(systemctl is-active firewalld 2>/dev/null)\" = active ]; then echo firewalld=1; if {firewall}; then echo firewall_ssh=1; fi; fi\n" +
            "if command -v selinuxenabled >/dev/null && selinuxenabled; then echo selinux=1; fi\n" +
            vzpatch +
            "sshd -T 2>/dev/null | awk '$1 ~ /^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin)$/ {print \"sshd_\" $1 \"=\" $2}'\n" +
            "true\n";
    }

    public static NodeState Parse(string output)
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var installed = new HashSet<string>(StringComparer.Ordinal);
        var ranges = new List<(long, long)>();
        var sshd = new Dictionary<string, string>(StringComparer.Ordinal);
        string? home = null, sudoers = null, dropin = null;
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            if (eq <= 0)
                continue;
            var (key, value) = (line[..eq], line[(eq + 1)..]);
            switch (key)
            {
                case "home": home = value; break;
                case "sudoers": sudoers = value; break;
                case "dropin": dropin = value; break;
                case "pkg": installed.Add(value); break;
                case "subids" when value.Split(':') is [var s, var c]
                    && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                    && long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var count):
                    ranges.Add((start, count));
                    break;
                case var k when k.StartsWith("sshd_"): sshd[k[5..]] = value.ToLowerInvariant(); break;
                default:
                    if (value == "1")
                        flags.Add(key);
                    break;
            }
        }
        return new NodeState
        {
            Home = home,
            KeyAuthorized = flags.Contains("key"),
            SudoersSha = sudoers,
            DropInSha = dropin,
            SshdIncludesDropIns = flags.Contains("include"),
            Installed = installed,
            Linger = flags.Contains("linger"),
            SubUid = flags.Contains("subuid"),
            SubGid = flags.Contains("subgid"),
            SubIdRanges = ranges,
            FirewalldActive = flags.Contains("firewalld"),
            FirewallKeepsSsh = flags.Contains("firewall_ssh"),
            Selinux = flags.Contains("selinux"),
            Vzpatch = flags.Contains("vzpatch"),
            Sshd = sshd,
        };
    }
}
