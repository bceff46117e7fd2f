using Vz.Deploy.Provision;

namespace Vz.Deploy.Tests.Provision;

public class SecurityUpdatesTests
{
    /// <summary>apt-get -s dist-upgrade as run on a Debian 12 machine (fixtures/node-add): 136 upgrades, 88 of them from bookworm-security.</summary>
    static string Debian12Simulation => File.ReadAllText(Vz.Tests.RepoRoot.Combine("fixtures", "node-add", "apt-get-s-dist-upgrade.debian-12.txt"));

    [Fact]
    public void OnlyPackagesWhoseCandidateComesFromTheSecurityPocketAreTaken()
    {
        var packages = SecurityUpdates.Parse(OsReleases.Os("debian-12"), Debian12Simulation);
        Assert.Equal(88, packages.Count);
        Assert.Contains("perl", packages);
        Assert.Contains("libexpat1", packages);
        Assert.DoesNotContain("bash", packages);      // Debian:12.15/oldstable: a point release, not a security fix
        Assert.DoesNotContain("base-files", packages);
    }

    [Fact]
    public void UbuntuSecurityOriginsAreTakenAlsoWhenUpdatesHasTheSameVersion()
    {
        // Composed in apt's format: Ubuntu lists every archive holding the candidate.
        const string sim =
            "Inst libssl3 [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])\n" +
            "Inst tzdata [2024a-0ubuntu0.22.04] (2024a-0ubuntu0.22.04.1 Ubuntu:22.04/jammy-updates [all])\n" +
            "Inst linux-image-5.15.0-105-generic (5.15.0-105.115 Ubuntu:22.04/jammy-security [amd64])\n";
        Assert.Equal(["libssl3"], SecurityUpdates.Parse(OsReleases.Os("ubuntu-22.04"), sim));
    }

    [Fact]
    public void DnfUpdateinfoNamesThePackages()
    {
        const string list =
            "RHSA-2024:3339 Important/Sec.  glibc-2.34-100.el9_4.2.x86_64\n" +
            "RHSA-2024:3339 Important/Sec.  glibc-common-2.34-100.el9_4.2.x86_64\n" +
            "RLSA-2024:2987 Moderate/Sec.   openssl-libs-1:3.0.7-27.el9.x86_64\n";
        Assert.Equal(["glibc", "glibc-common", "openssl-libs"], SecurityUpdates.Parse(OsReleases.Os("rocky-9"), list));
    }

    [Fact]
    public void TheInstallOnlyUpgradesWhatIsInstalled()
    {
        Assert.EndsWith("install --only-upgrade libexpat1 perl\n", SecurityUpdates.InstallScript(OsReleases.Os("debian-12"), ["libexpat1", "perl"]));
        Assert.EndsWith("set -e\ndnf -y upgrade --security\n", SecurityUpdates.InstallScript(OsReleases.Os("rhel-8"), ["glibc"]));
    }
}
