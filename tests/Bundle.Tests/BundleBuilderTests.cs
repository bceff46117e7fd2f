using Vz.Bundle.Tar;
using Vz.Oci;
using Vz.Oci.Tar;

namespace Vz.Bundle.Tests;

/// <summary>What BundleBuilder checks without writing a rootfs (Integration.Tests/Bundle builds real ones, as root).</summary>
public class BundleBuilderTests
{
    [Fact]
    public void PackingIntoAMissingDirectoryIsOneClearError()
    {
        using var t = new TestTree();
        t.File("b/rootfs/app", "x", Fs.Modes.O755);
        RuntimeConfigJson.Save(Runtime.RuntimeConfigFactory.Create(new Runtime.RuntimeOptions { Args = ["/app"] }), t["b/config.json"]);
        var e = Assert.Throws<VzException>(() => BundleBuilder.Pack(t["b"], t["missing/b.tar"], Compression.None, 0));
        Assert.Equal("VZ2013", e.Code);
        Assert.Contains("missing/b.tar", e.Message);
    }
}
