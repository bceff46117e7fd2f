namespace Vz.Deploy.Provision;

/// <summary>The distributions node add knows how to prepare.</summary>
public enum Distro { Debian, Ubuntu, Rocky, Alma, Rhel }

/// <summary>How a distribution installs packages and names its services: apt or dnf.</summary>
public enum OsFamily { Debian, Rhel }

/// <summary>
/// A supported node operating system, detected from its os-release (<see cref="Detect"/>). Everything
/// that differs between distributions (packages, EPEL, the ssh service's name, sshd's Include) is
/// decided from this in <see cref="ProvisionPlanner"/>, nowhere else.
/// </summary>
public sealed record NodeOs(Distro Distro, int Major, string VersionId, string PrettyName)
{
    public OsFamily Family => Distro is Distro.Debian or Distro.Ubuntu ? OsFamily.Debian : OsFamily.Rhel;

    /// <summary>What node add supports, as the refusal names it.</summary>
    public const string SupportedList = "Debian 12 and 13, Ubuntu 22.04 and 24.04, Rocky Linux, AlmaLinux and RHEL 8 and 9";

    /// <summary>
    /// The OS an os-release names, or VZ5001 for any other (before anything on the node changed).
    /// Only the ID decides, not ID_LIKE: a look-alike (CentOS Stream, Oracle Linux) was never tried.
    /// </summary>
    public static NodeOs Detect(OsRelease os, string node)
    {
        var version = os.VersionId;
        var major = int.TryParse(version.Split('.')[0], out var m) ? m : -1;
        NodeOs? found = (os.Id, major, version) switch
        {
            ("debian", 12 or 13, _) => new NodeOs(Distro.Debian, major, version, os.PrettyName),
            ("ubuntu", _, "22.04" or "24.04") => new NodeOs(Distro.Ubuntu, major, version, os.PrettyName),
            ("rocky", 8 or 9, _) => new NodeOs(Distro.Rocky, major, version, os.PrettyName),
            ("almalinux", 8 or 9, _) => new NodeOs(Distro.Alma, major, version, os.PrettyName),
            ("rhel", 8 or 9, _) => new NodeOs(Distro.Rhel, major, version, os.PrettyName),
            _ => null,
        };
        return found ?? throw new VzException(ProvisionErrors.UnsupportedOs,
            $"{node} runs {os.PrettyName} (os-release ID={os.Id} VERSION_ID={(version.Length > 0 ? version : "none")}), which node add does not support; nothing was changed",
            $"supported: {SupportedList}");
    }

    public override string ToString() => PrettyName;
}
