using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Firewall;

/// <summary>A host port as a firewall sees it: 8080/tcp.</summary>
public sealed record FirewallPort(int Port, PortProtocol Protocol) : IComparable<FirewallPort>
{
    public override string ToString() => $"{Port}/{(Protocol == PortProtocol.Tcp ? "tcp" : "udp")}";

    public int CompareTo(FirewallPort? other) =>
        other is null ? 1 : Port != other.Port ? Port.CompareTo(other.Port) : Protocol.CompareTo(other.Protocol);

    public static FirewallPort? Parse(string text)
    {
        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        return parts[1] switch { "tcp" => new(port, PortProtocol.Tcp), "udp" => new(port, PortProtocol.Udp), _ => null };
    }
}

/// <summary>What the firewall step does on one node: ports to open, ports vz opened before and now closes.</summary>
public sealed record FirewallChange(IReadOnlyList<FirewallPort> Open, IReadOnlyList<FirewallPort> Close, IReadOnlyList<FirewallPort> Keep)
{
    public bool None => Open.Count == 0 && Close.Count == 0;

    /// <summary>"opened 9090/tcp; closed 8080/tcp" (or "unchanged") for the report.</summary>
    public string Describe() => None ? "firewall unchanged"
        : string.Join("; ", new[] { Open.Count > 0 ? $"opened {string.Join(", ", Open)}" : null, Close.Count > 0 ? $"closed {string.Join(", ", Close)}" : null }.OfType<string>());
}

/// <summary>
/// The firewall step, pure: the node's desired host ports (every published, non-loopback port
/// of every pod placed on it) against the ports vz opened (read from vz's own objects only), and
/// the script that makes the node's firewall say exactly the desired set, touching nothing else:
/// <list type="bullet">
/// <item>firewalld: the ports in the default zone (runtime and permanent, never --reload, which
/// would drop podman's own runtime rules), with vz's ledger in a permanent service "vz" that no
/// zone uses: it only records which ports are vz's. A port the zone already had is left alone.</item>
/// <item>nftables: a table "inet vz" of vz's own, replaced atomically in one nft transaction.</item>
/// <item>iptables (and ip6tables): a chain VZ-INPUT, jumped to once from INPUT; rules added before
/// stale ones are deleted, so no port blinks.</item>
/// </list>
/// nftables and iptables rules do not survive a reboot by themselves: the script is kept as
/// ~/.vz/firewall.sh and a oneshot unit (vz-firewall.service) runs it at boot. Nothing stays resident.
/// </summary>
public static partial class FirewallPlan
{
    /// <summary>Every published port of the node's pods that is reachable from outside the node.</summary>
    public static IReadOnlySet<FirewallPort> Desired(IEnumerable<PodManifest> pods) =>
        new SortedSet<FirewallPort>(pods.SelectMany(p => p.Ports).Where(p => !p.LoopbackOnly).Select(p => new FirewallPort(p.HostPort, p.Protocol)));

    public static FirewallChange Compute(IReadOnlySet<FirewallPort> desired, IReadOnlySet<FirewallPort> opened) => new(
        desired.Except(opened).Order().ToList(),
        opened.Except(desired).Order().ToList(),
        desired.Intersect(opened).Order().ToList());

    static string Sudo(FirewallAccess access) => access == FirewallAccess.Sudo ? "sudo -n " : "";

    /// <summary>Prints the ports vz opened, one per line as PORT/PROTO (empty when vz opened none).</summary>
    public static string ListScript(FirewallBackend backend, FirewallAccess access) => backend switch
    {
        FirewallBackend.Firewalld => $"{Sudo(access)}firewall-cmd --permanent --service={LayoutNames.Service} --get-ports 2>/dev/null | tr ' ' '\\n' || true\n",
        FirewallBackend.Nftables => $"{Sudo(access)}nft list table inet {LayoutNames.Table} 2>/dev/null || true\n",
        FirewallBackend.Iptables => $"{Sudo(access)}iptables -w -S {LayoutNames.Chain} 2>/dev/null || true\n",
        _ => "true\n",
    };

    [GeneratedRegex(@"\b(?<proto>tcp|udp) dport (?<port>[0-9]+) accept\b")]
    private static partial Regex NftRule();

    [GeneratedRegex(@"^-A VZ-INPUT -p (?<proto>tcp|udp)( -m (tcp|udp))? --dport (?<port>[0-9]+) -j ACCEPT$")]
    private static partial Regex IptablesRule();

    /// <summary>Reads what <see cref="ListScript"/> printed.</summary>
    public static IReadOnlySet<FirewallPort> ParseOpened(FirewallBackend backend, string listing)
    {
        var lines = listing.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<FirewallPort?> ports = backend switch
        {
            FirewallBackend.Firewalld => lines.Select(FirewallPort.Parse),
            FirewallBackend.Nftables => lines.Select(l => NftRule().Match(l)).Where(m => m.Success).Select(m => FirewallPort.Parse($"{m.Groups["port"].Value}/{m.Groups["proto"].Value}")),
            FirewallBackend.Iptables => lines.Select(l => IptablesRule().Match(l)).Where(m => m.Success).Select(m => FirewallPort.Parse($"{m.Groups["port"].Value}/{m.Groups["proto"].Value}")),
            _ => [],
        };
        return new SortedSet<FirewallPort>(ports.OfType<FirewallPort>());
    }

    /// <summary>
    /// The script that makes the backend hold exactly the desired ports (idempotent, so it also
    /// serves at boot). Runs as root; the caller runs it with sudo -n when access says so.
    /// </summary>
    public static string EnforceScript(FirewallBackend backend, IReadOnlySet<FirewallPort> desired)
    {
        var want = string.Join(' ', desired.Order().Select(p => p.ToString()));
        var sb = new StringBuilder("#!/bin/sh\n# vz: makes the firewall open exactly vz's declared ports; written by vz, run at each deploy and at boot.\nset -e\n");
        switch (backend)
        {
            case FirewallBackend.Firewalld:
                sb.Append("F=firewall-cmd\n");
                sb.Append($"$F --permanent --info-service={LayoutNames.Service} >/dev/null 2>&1 || $F --permanent --new-service={LayoutNames.Service} >/dev/null\n");
                sb.Append("zone=$($F --get-default-zone)\n");
                sb.Append($"want=' {want} '\n");
                sb.Append($"for r in $($F --permanent --service={LayoutNames.Service} --get-ports); do\n");
                sb.Append("  case \"$want\" in *\" $r \"*) ;; *)\n");
                sb.Append("    $F --zone=\"$zone\" --remove-port=\"$r\" >/dev/null; $F --permanent --zone=\"$zone\" --remove-port=\"$r\" >/dev/null\n");
                sb.Append($"    $F --permanent --service={LayoutNames.Service} --remove-port=\"$r\" >/dev/null ;;\n");
                sb.Append("  esac\n");
                sb.Append("done\n");
                sb.Append("for r in $want; do\n");
                sb.Append($"  if $F --permanent --service={LayoutNames.Service} --query-port=\"$r\" >/dev/null 2>&1; then\n");
                sb.Append("    $F --zone=\"$zone\" --query-port=\"$r\" >/dev/null 2>&1 || $F --zone=\"$zone\" --add-port=\"$r\" >/dev/null\n");
                // Opened by someone else: not vz's to record, nor to close later.
                sb.Append("  elif ! $F --permanent --zone=\"$zone\" --query-port=\"$r\" >/dev/null 2>&1; then\n");
                sb.Append("    $F --zone=\"$zone\" --add-port=\"$r\" >/dev/null; $F --permanent --zone=\"$zone\" --add-port=\"$r\" >/dev/null\n");
                sb.Append($"    $F --permanent --service={LayoutNames.Service} --add-port=\"$r\" >/dev/null\n");
                sb.Append("  fi\n");
                sb.Append("done\n");
                break;
            case FirewallBackend.Nftables:
                // Declaring the table first makes the delete valid when it does not exist yet; the whole file is one transaction.
                sb.Append("nft -f - <<'VZ_NFT'\n");
                sb.Append($"table inet {LayoutNames.Table}\n").Append($"delete table inet {LayoutNames.Table}\n");
                if (desired.Count > 0)
                {
                    sb.Append($"table inet {LayoutNames.Table} {{\n");
                    sb.Append("  chain input {\n");
                    sb.Append("    type filter hook input priority filter - 1; policy accept;\n");
                    foreach (var p in desired.Order())
                        sb.Append($"    {(p.Protocol == PortProtocol.Tcp ? "tcp" : "udp")} dport {p.Port} accept\n");
                    sb.Append("  }\n}\n");
                }
                sb.Append("VZ_NFT\n");
                break;
            case FirewallBackend.Iptables:
                sb.Append($"want=' {want} '\n");
                sb.Append("for ipt in iptables ip6tables; do\n");
                sb.Append("  command -v \"$ipt\" >/dev/null || continue\n");
                sb.Append($"  $ipt -w -N {LayoutNames.Chain} 2>/dev/null || true\n");
                sb.Append($"  $ipt -w -C INPUT -j {LayoutNames.Chain} 2>/dev/null || $ipt -w -I INPUT 1 -j {LayoutNames.Chain}\n");
                sb.Append("  for r in $want; do\n");
                sb.Append($"    $ipt -w -C {LayoutNames.Chain} -p \"${{r#*/}}\" --dport \"${{r%/*}}\" -j ACCEPT 2>/dev/null || $ipt -w -A {LayoutNames.Chain} -p \"${{r#*/}}\" --dport \"${{r%/*}}\" -j ACCEPT\n");
                sb.Append("  done\n");
                sb.Append($"  for r in $($ipt -w -S {LayoutNames.Chain} | sed -n 's/^-A {LayoutNames.Chain} -p \\([a-z]*\\)\\( -m [a-z]*\\)\\{{0,1\\}} --dport \\([0-9]*\\) -j ACCEPT$/\\3\\/\\1/p'); do\n");
                sb.Append($"    case \"$want\" in *\" $r \"*) ;; *) $ipt -w -D {LayoutNames.Chain} -p \"${{r#*/}}\" --dport \"${{r%/*}}\" -j ACCEPT ;; esac\n");
                sb.Append("  done\n");
                sb.Append("done\n");
                break;
            default:
                sb.Append("true\n");
                break;
        }
        return sb.ToString();
    }

    /// <summary>Whether the backend's rules need vz-firewall.service to come back after a reboot (firewalld's permanent config does not).</summary>
    public static bool NeedsBootUnit(FirewallBackend backend) => backend is FirewallBackend.Nftables or FirewallBackend.Iptables;

    /// <summary>
    /// The oneshot unit that re-applies ~/.vz/firewall.sh at boot, after the distribution's own
    /// firewall service (which may flush the ruleset) and before the pods start.
    /// </summary>
    public static string BootUnit(string scriptPath) =>
        "# Written by vz: re-applies vz's firewall rules at boot; nothing stays running.\n" +
        "[Unit]\n" +
        "Description=vz firewall rules\n" +
        "After=nftables.service netfilter-persistent.service iptables.service firewalld.service\n" +
        "Before=network-online.target\n\n" +
        "[Service]\n" +
        "Type=oneshot\n" +
        $"ExecStart=/bin/sh {Units.UnitWriter.Word(scriptPath)}\n\n" +
        "[Install]\n" +
        "WantedBy=multi-user.target\n";

    public const string BootUnitName = "vz-firewall.service";

    /// <summary>The command that runs the node's firewall script (after it was uploaded to path).</summary>
    public static string RunScript(FirewallAccess access, string path) => $"{Sudo(access)}sh {Sh.Quote(path)}\n";

    /// <summary>
    /// Runs the uploaded firewall script and, for nftables and iptables (whose rules a reboot
    /// forgets), installs and enables vz-firewall.service, which runs it again at boot.
    /// </summary>
    public static string ApplyScript(FirewallBackend backend, FirewallAccess access, string path)
    {
        var sudo = Sudo(access);
        var sb = new StringBuilder("set -e\n").Append(RunScript(access, path));
        if (NeedsBootUnit(backend))
        {
            sb.Append($"{sudo}tee /etc/systemd/system/{BootUnitName} >/dev/null <<'VZ_UNIT'\n{BootUnit(path)}VZ_UNIT\n");
            sb.Append($"{sudo}systemctl daemon-reload\n{sudo}systemctl enable {BootUnitName} >/dev/null 2>&1\n");
        }
        return sb.ToString();
    }

    static class LayoutNames
    {
        public const string Service = NodeLayout.FirewalldService;
        public const string Table = NodeLayout.NftTable;
        public const string Chain = NodeLayout.IptablesChain;
    }
}
