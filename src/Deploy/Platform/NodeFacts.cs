using System.Globalization;
using Vz.Deploy.Pods;

namespace Vz.Deploy.Platform;

public enum CgroupMode { V1, Hybrid, V2 }

public enum SelinuxMode { Disabled, Permissive, Enforcing }

/// <summary>
/// What a node is, as its probe read it: everything <see cref="PlatformDecisions.Decide"/> needs,
/// and nothing else. Read once per node per command by running <see cref="Probe"/> (POSIX sh,
/// coreutils, awk) and parsing its "key=value" lines with <see cref="Parse"/>.
/// </summary>
public sealed record NodeFacts
{
    public required string User { get; init; }
    public required int Uid { get; init; }
    public required string Home { get; init; }
    public bool Rootless => Uid != 0;

    /// <summary>podman --version, or null when podman is absent.</summary>
    public Version? Podman { get; init; }
    public string PodmanPath { get; init; } = "/usr/bin/podman";
    /// <summary>Podman's Quadlet generator is installed (podman 4.4 and newer ship it).</summary>
    public bool Quadlet { get; init; }
    public bool Runc { get; init; }
    public string RuncPath { get; init; } = "/usr/bin/runc";
    public bool Crun { get; init; }

    public CgroupMode Cgroup { get; init; } = CgroupMode.V2;
    /// <summary>Controllers this user's units may use: user@UID.service's for a rootless user (what systemd delegates), the root's otherwise.</summary>
    public IReadOnlySet<string> Controllers { get; init; } = new HashSet<string>();

    /// <summary>systemctl is-active firewalld said active.</summary>
    public bool Firewalld { get; init; }
    public bool Nft { get; init; }
    public bool Iptables { get; init; }
    public SelinuxMode Selinux { get; init; }

    /// <summary>systemd's version, or null when the node does not run systemd.</summary>
    public int? Systemd { get; init; }
    public string OsId { get; init; } = "";
    public string OsVersion { get; init; } = "";
    public string OsLike { get; init; } = "";

    /// <summary>loginctl linger is on for this user (its units run without a login session, and at boot).</summary>
    public bool Linger { get; init; }
    /// <summary>sudo -n works (a rootless user may still manage the firewall).</summary>
    public bool Sudo { get; init; }
    public bool Bash { get; init; }
    public bool Python3 { get; init; }

    public long MemTotal { get; init; }
    public long MemAvailable { get; init; }
    public long DiskFree { get; init; }
    /// <summary>net.ipv4.ip_unprivileged_port_start: rootless podman cannot publish below it.</summary>
    public int UnprivilegedPortStart { get; init; } = 1024;
    public string BootId { get; init; } = "";

    /// <summary>The probe: one "key=value" per line; keys this version of vz does not know are ignored.</summary>
    public const string Probe =
        "u=$(id -u); echo \"user=$(id -un)\"; echo \"uid=$u\"; echo \"home=$HOME\"\n" +
        "PATH=\"$PATH:/usr/local/sbin:/usr/sbin:/sbin\"\n" +
        "if p=$(command -v podman); then echo \"podman_path=$p\"; echo \"podman=$(podman --version 2>/dev/null | awk '{print $NF}')\"; fi\n" +
        "for q in /usr/libexec/podman/quadlet /usr/lib/podman/quadlet; do if [ -x \"$q\" ]; then echo quadlet=1; fi; done\n" +
        "if p=$(command -v runc); then echo \"runc_path=$p\"; fi\n" +
        "if command -v crun >/dev/null; then echo crun=1; fi\n" +
        "if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo cgroup=v2; elif [ -d /sys/fs/cgroup/unified ]; then echo cgroup=hybrid; else echo cgroup=v1; fi\n" +
        "f=/sys/fs/cgroup/user.slice/user-$u.slice/user@$u.service/cgroup.controllers\n" +
        "if [ \"$u\" != 0 ] && [ -f \"$f\" ]; then echo \"controllers=$(cat \"$f\")\"; " +
        "elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo \"controllers=$(cat /sys/fs/cgroup/cgroup.controllers)\"; " +
        "else echo \"controllers=$(awk 'NR>1 && $4==1 {printf \"%s \", $1}' /proc/cgroups)\"; fi\n" +
        "if [ \"$(systemctl is-active firewalld 2>/dev/null)\" = active ]; then echo firewalld=1; fi\n" +
        "if command -v nft >/dev/null; then echo nft=1; fi\n" +
        "if command -v iptables >/dev/null; then echo iptables=1; fi\n" +
        "if [ -f /sys/fs/selinux/enforce ]; then if [ \"$(cat /sys/fs/selinux/enforce)\" = 1 ]; then echo selinux=enforcing; else echo selinux=permissive; fi; fi\n" +
        "if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then echo \"systemd=$(systemctl --version | awk 'NR==1 {print $2}')\"; fi\n" +
        "if [ -f /etc/os-release ]; then (. /etc/os-release; echo \"os_id=$ID\"; echo \"os_version=$VERSION_ID\"; echo \"os_like=$ID_LIKE\"); fi\n" +
        "if [ -f \"/var/lib/systemd/linger/$(id -un)\" ]; then echo linger=1; fi\n" +
        "if [ \"$u\" != 0 ] && sudo -n true 2>/dev/null; then echo sudo=1; fi\n" +
        "if command -v bash >/dev/null; then echo bash=1; fi\n" +
        "if command -v python3 >/dev/null; then echo python3=1; fi\n" +
        // Kilobytes as printed: awk would write bytes of a large node in exponent form (2.5e+10).
        "awk '/^MemTotal:/ {print \"mem_total_kb=\" $2} /^MemAvailable:/ {print \"mem_available_kb=\" $2}' /proc/meminfo\n" +
        "df -Pk \"$HOME\" | awk 'NR==2 {print \"disk_free_kb=\" $4}'\n" +
        "if [ -f /proc/sys/net/ipv4/ip_unprivileged_port_start ]; then echo \"unprivileged_port_start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)\"; fi\n" +
        // The memory limit of the cgroup the node's processes live in: a container-based VPS (and a
        // harness node) shows the host's MemTotal in /proc/meminfo but is held to this.
        "for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do if [ -r \"$f\" ]; then echo \"mem_cgroup_limit=$(cat \"$f\")\"; break; fi; done\n" +
        "echo boot_id=" + Layout.PodScripts.BootMarker + "\n";

    /// <summary>The memory the node's processes may use: MemTotal, or its cgroup's limit when that is lower ("max" and v1's huge number mean none).</summary>
    public static long MemoryOf(long memTotal, string? cgroupLimit) =>
        long.TryParse(cgroupLimit, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0 && (memTotal <= 0 || limit < memTotal)
            ? limit : memTotal;

    /// <summary>Reads the probe's output; a node that printed no user, uid or home is a VZ4203.</summary>
    public static NodeFacts Parse(string output, string node)
    {
        var kv = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            if (eq > 0)
                kv[line[..eq]] = line[(eq + 1)..];
        }
        string? Get(string k) => kv.TryGetValue(k, out var v) && v.Length > 0 ? v : null;
        bool Flag(string k) => Get(k) == "1";
        long Long(string k) => long.TryParse(Get(k), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

        if (Get("user") is not { } user || !int.TryParse(Get("uid"), out var uid) || Get("home") is not { } home || !home.StartsWith('/'))
            throw new VzException(PodErrors.NodeFacts, $"{node}: the probe printed no user, uid or home directory: {output.Trim().Split('\n')[0]}");
        return new NodeFacts
        {
            User = user,
            Uid = uid,
            Home = home.TrimEnd('/') is "" ? "/" : home.TrimEnd('/'),
            Podman = Version.TryParse(Get("podman")?.Split('-')[0], out var v) ? v : null,
            PodmanPath = Get("podman_path") ?? "/usr/bin/podman",
            Quadlet = Flag("quadlet"),
            Runc = Get("runc_path") is not null,
            RuncPath = Get("runc_path") ?? "/usr/bin/runc",
            Crun = Flag("crun"),
            Cgroup = Get("cgroup") switch { "v1" => CgroupMode.V1, "hybrid" => CgroupMode.Hybrid, _ => CgroupMode.V2 },
            Controllers = (Get("controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            Firewalld = Flag("firewalld"),
            Nft = Flag("nft"),
            Iptables = Flag("iptables"),
            Selinux = Get("selinux") switch { "enforcing" => SelinuxMode.Enforcing, "permissive" => SelinuxMode.Permissive, _ => SelinuxMode.Disabled },
            Systemd = int.TryParse(Get("systemd"), out var sd) ? sd : null,
            OsId = Get("os_id") ?? "",
            OsVersion = Get("os_version") ?? "",
            OsLike = Get("os_like") ?? "",
            Linger = Flag("linger"),
            Sudo = Flag("sudo"),
            Bash = Flag("bash"),
            Python3 = Flag("python3"),
            MemTotal = MemoryOf(Long("mem_total_kb") * 1024, Get("mem_cgroup_limit")),
            MemAvailable = Long("mem_available_kb") * 1024,
            DiskFree = Long("disk_free_kb") * 1024,
            UnprivilegedPortStart = int.TryParse(Get("unprivileged_port_start"), out var ups) ? ups : 1024,
            BootId = Get("boot_id") ?? "",
        };
    }
}
