using Vz.Deploy.Runc;

namespace Vz.Deploy.Tests.Runc;

public class LayerScanTests
{
    static LayerContent Layer(string member, params LayerEntry[] entries) => new(member, LayerCompression.None, entries);

    static LayerEntry F(string name) => new(name, LayerEntryKind.File);
    static LayerEntry D(string name) => new(name, LayerEntryKind.Directory);
    static LayerEntry L(string name, string target) => new(name, LayerEntryKind.Symlink, target);

    static VzException Refused(params LayerContent[] layers)
    {
        var e = Assert.Throws<VzException>(() => LayerScan.Plan(layers, "img.tar"));
        Assert.Equal(RuncErrors.CannotUnpack, e.Error);
        return e;
    }

    [Fact]
    public void OneLayerWithoutWhiteoutsIsExtractedAsItIs()
    {
        var plan = LayerScan.Plan([Layer("blobs/sha256/aa", D("./"), D("./bin/"), F("./bin/busybox"), L("./bin/sh", "busybox"))], "img.tar");
        var layer = Assert.Single(plan.Layers);
        Assert.Equal(("blobs/sha256/aa", LayerCompression.None), (layer.Member, layer.Compression));
        Assert.Empty(layer.Deletes);
        Assert.Empty(layer.Opaque);
        Assert.False(plan.HasWhiteouts);
        Assert.False(plan.Xattrs);
    }

    [Fact]
    public void WhiteoutsBecomeWhatIsRemovedBeforeTheirLayer()
    {
        var plan = LayerScan.Plan(
        [
            Layer("l1", D("etc/"), F("etc/a"), F("etc/b"), D("var/cache/"), F("var/cache/x"), F("top")),
            Layer("l2", F("etc/.wh.a"), F("var/cache/.wh..wh..opq"), F("var/cache/y"), F(".wh.top")),
        ], "img.tar");
        Assert.Equal(["etc/a", "top"], plan.Layers[1].Deletes);
        Assert.Equal(["var/cache"], plan.Layers[1].Opaque);
        Assert.Empty(plan.Layers[0].Deletes);
        Assert.True(plan.HasWhiteouts);
    }

    [Fact]
    public void ANameWithDotDotIsRefused() =>
        Assert.Contains("'..' part", Refused(Layer("l1", F("etc/../../host"))).Message);

    [Fact]
    public void AnEntryBelowASymlinkOfALowerLayerIsRefusedNamingBoth()
    {
        var e = Refused(Layer("l1", L("lib", "/lib")), Layer("l2", F("lib/evil.so")));
        Assert.Contains("layer 2 (l2): lib/evil.so goes through the symlink lib", e.Message);
        Assert.Contains("vzbuild", e.Hint);
    }

    [Fact]
    public void AnEntryBelowASymlinkOfItsOwnLayerIsRefused() =>
        Assert.Contains("goes through the symlink etc", Refused(Layer("l1", L("etc", "/etc"), F("etc/passwd"))).Message);

    [Fact]
    public void AHardLinkWhoseTargetGoesThroughASymlinkIsRefused() =>
        Assert.Contains("hard link copy to host/shadow", Refused(Layer("l1", L("host", "/etc"), new LayerEntry("copy", LayerEntryKind.Hardlink, "host/shadow"))).Message);

    [Fact]
    public void AWhiteoutBelowASymlinkIsRefusedSinceRmWouldFollowIt()
    {
        Assert.Contains("whiteout of data/x goes through the symlink data", Refused(Layer("l1", L("data", "/var")), Layer("l2", F("data/.wh.x"))).Message);
        Assert.Contains("opaque whiteout of data, which is a symlink", Refused(Layer("l1", L("data", "/var")), Layer("l2", F("data/.wh..wh..opq"))).Message);
    }

    [Fact]
    public void ADirectoryReplacingASymlinkOrAWhitedOutSymlinkMakesThePathSafeAgain()
    {
        var plan = LayerScan.Plan([Layer("l1", L("lib", "usr/lib"), L("sbin", "/x")), Layer("l2", D("lib/"), F("lib/a"), F(".wh.sbin")), Layer("l3", F("sbin/b"))], "img.tar");
        Assert.Equal(3, plan.Layers.Count);
    }

    [Fact]
    public void ExtendedAttributesAreNoted() =>
        Assert.True(LayerScan.Plan([Layer("l1", new LayerEntry("bin/ping", LayerEntryKind.File, null, Xattrs: true))], "img.tar").Xattrs);
}
