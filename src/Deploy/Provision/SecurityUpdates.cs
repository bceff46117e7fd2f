using System.Text.RegularExpressions;

namespace Vz.Deploy.Provision;

/// <summary>
/// --security-updates: the distribution's security fixes, nothing else. The RHEL family has it built
/// in (<c>dnf upgrade --security</c>, from updateinfo). Debian and Ubuntu have the security pocket
/// (<c>bookworm-security</c>, <c>jammy-security</c>): apt simulates a dist-upgrade, the packages whose
/// candidate comes from an archive ending in "-security" are upgraded with <c>--only-upgrade</c>
/// (their new dependencies come along; nothing is removed). unattended-upgrades is not needed.
/// </summary>
public static partial class SecurityUpdates
{
    /// <summary>Lists what would be upgraded; parsed by <see cref="Parse"/>.</summary>
    public static string ListScript(NodeOs os) => ProvisionScripts.Prelude + "set -e\n" + (os.Family == OsFamily.Debian
        ? "apt-get -q update >/dev/null\napt-get -s dist-upgrade\n"
        : "dnf -q -y updateinfo list --security --available\n");

    /// <summary>The packages with a security update pending, by name, sorted and unique.</summary>
    public static IReadOnlyList<string> Parse(NodeOs os, string output)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (os.Family == OsFamily.Debian)
            {
                // Inst perl [5.36.0-7+deb12u2] (5.36.0-7+deb12u4 Debian-Security:12/oldstable-security [amd64]) []
                var m = AptInst().Match(line);
                if (m.Success && m.Groups["origins"].Value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Any(o => o.EndsWith("-security")))
                    names.Add(m.Groups["name"].Value);
            }
            else if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, _, var nevra] && nevra.Count(c => c == '-') >= 2)
            {
                // RHSA-2024:3339 Important/Sec.  glibc-2.34-100.el9_4.2.x86_64: the name is what comes before version-release.
                var release = nevra.LastIndexOf('-');
                names.Add(nevra[..nevra.LastIndexOf('-', release - 1)]);
            }
        }
        return names.ToList();
    }

    public static string InstallScript(NodeOs os, IReadOnlyList<string> packages) =>
        ProvisionScripts.Prelude + "set -e\n" + (os.Family == OsFamily.Debian
            ? $"{ProvisionScripts.Apt} install --only-upgrade {string.Join(' ', packages.Select(Sh.Quote))}\n"
            : "dnf -y upgrade --security\n");

    [GeneratedRegex(@"^Inst (?<name>\S+) \[[^\]]*\] \((?<version>\S+) (?<origins>[^\[]*)\[")]
    private static partial Regex AptInst();
}
