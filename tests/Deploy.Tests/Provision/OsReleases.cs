using Vz.Deploy.Provision;

namespace Vz.Deploy.Tests.Provision;

/// <summary>The committed os-release files (fixtures/os-release): Debian 12 and 13 captured from harness nodes, the others as the distributions ship them.</summary>
static class OsReleases
{
    public static string Path(string name) => Vz.Tests.RepoRoot.Combine("fixtures", "os-release", name);

    public static OsRelease Read(string name) => OsRelease.Parse(File.ReadAllText(Path(name)));

    public static NodeOs Os(string name) => NodeOs.Detect(Read(name), "node-a");

    public static readonly string[] Supported =
        ["debian-12", "debian-13", "ubuntu-22.04", "ubuntu-24.04", "rocky-8", "rocky-9", "alma-8", "alma-9", "rhel-8", "rhel-9"];
}
