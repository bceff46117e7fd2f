using Vz.Deploy.Provision;

namespace Vz.Deploy.Tests.Provision;

public class OsDetectionTests
{
    [Theory]
    [InlineData("debian-12", Distro.Debian, 12, OsFamily.Debian, "Debian GNU/Linux 12 (bookworm)")]
    [InlineData("debian-13", Distro.Debian, 13, OsFamily.Debian, "Debian GNU/Linux 13 (trixie)")]
    [InlineData("ubuntu-22.04", Distro.Ubuntu, 22, OsFamily.Debian, "Ubuntu 22.04.4 LTS")]
    [InlineData("ubuntu-24.04", Distro.Ubuntu, 24, OsFamily.Debian, "Ubuntu 24.04.3 LTS")]
    [InlineData("rocky-8", Distro.Rocky, 8, OsFamily.Rhel, "Rocky Linux 8.10 (Green Obsidian)")]
    [InlineData("rocky-9", Distro.Rocky, 9, OsFamily.Rhel, "Rocky Linux 9.6 (Blue Onyx)")]
    [InlineData("alma-8", Distro.Alma, 8, OsFamily.Rhel, "AlmaLinux 8.10 (Cerulean Leopard)")]
    [InlineData("alma-9", Distro.Alma, 9, OsFamily.Rhel, "AlmaLinux 9.4 (Seafoam Ocelot)")]
    [InlineData("rhel-8", Distro.Rhel, 8, OsFamily.Rhel, "Red Hat Enterprise Linux 8.10 (Ootpa)")]
    [InlineData("rhel-9", Distro.Rhel, 9, OsFamily.Rhel, "Red Hat Enterprise Linux 9.4 (Plow)")]
    public void EachSupportedOsReleaseIsDetected(string file, Distro distro, int major, OsFamily family, string pretty)
    {
        var os = OsReleases.Os(file);
        Assert.Equal((distro, major, family, pretty), (os.Distro, os.Major, os.Family, os.PrettyName));
    }

    [Theory]
    [InlineData("debian-11", "Debian GNU/Linux 11 (bullseye) (os-release ID=debian VERSION_ID=11)")]
    [InlineData("centos-stream-9", "CentOS Stream 9 (os-release ID=centos VERSION_ID=9)")]
    public void AnOsReleaseOfAnotherDistributionOrReleaseIsRefusedNamingIt(string file, string named)
    {
        var e = Assert.Throws<VzException>(() => OsReleases.Os(file));
        Assert.Equal(ProvisionErrors.UnsupportedOs, e.Error);
        Assert.Equal($"node-a runs {named}, which node add does not support; nothing was changed", e.Message);
        Assert.Contains("Debian 12 and 13, Ubuntu 22.04 and 24.04, Rocky Linux, AlmaLinux and RHEL 8 and 9", e.Hint);
    }

    [Fact]
    public void AnEmptyOsReleaseIsRefusedAsPlainLinux()
    {
        var e = Assert.Throws<VzException>(() => NodeOs.Detect(OsRelease.Parse(""), "n"));
        Assert.Equal("n runs linux (os-release ID=linux VERSION_ID=none), which node add does not support; nothing was changed", e.Message);
    }

    [Fact]
    public void AnUbuntuInterimReleaseIsRefused() =>
        Assert.Throws<VzException>(() => NodeOs.Detect(OsRelease.Parse("ID=ubuntu\nVERSION_ID=\"23.10\"\n"), "n"));

    [Fact]
    public void OsReleaseValuesAreUnquotedAsTheShellWould()
    {
        var os = OsRelease.Parse("# comment\nA=plain\nB=\"double \\\"quoted\\\" \\$x\"\nC='single $x'\n\nbroken line\nD=\n");
        Assert.Equal(("plain", "double \"quoted\" $x", "single $x", ""), (os.Get("A"), os.Get("B"), os.Get("C"), os.Get("D")));
        Assert.Null(os.Get("broken line"));
    }

    [Fact]
    public void IdLikeIsAList() =>
        Assert.Equal(["rhel", "centos", "fedora"], OsReleases.Read("rocky-9").IdLike);
}
