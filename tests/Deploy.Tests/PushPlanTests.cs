using System.Formats.Tar;
using System.Text;
using Vz.Deploy.Push;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests;

public class PushPlanTests
{
    static readonly string Old = new('a', 64), New = new('b', 64);

    static NodeProbe Node(string? current, params string[] tools) => new("/srv/vz/app", tools.ToHashSet(), current);

    [Fact]
    public void DeltaIsTriedWhenTheNodeHasAVersionTheCacheHoldsAndXdelta3()
    {
        Assert.Equal((true, null), PushPlanner.DeltaCandidate(Node(Old, "xdelta3"), New, deltaRequested: true, cacheHasCurrent: true));
    }

    [Fact]
    public void NoDeltaWithoutXdelta3OnTheNodeAndTheNoteSaysSo()
    {
        var (tryDelta, note) = PushPlanner.DeltaCandidate(Node(Old, "zstd"), New, true, true);
        Assert.False(tryDelta);
        Assert.Contains("no xdelta3", note);
    }

    [Fact]
    public void NoDeltaWhenTheNodesVersionIsNotCached()
    {
        var (tryDelta, note) = PushPlanner.DeltaCandidate(Node(Old, "xdelta3"), New, true, cacheHasCurrent: false);
        Assert.False(tryDelta);
        Assert.Contains("not in the local cache", note);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("new", true)]
    public void NoDeltaForANewNodeOrWithoutDeltaRequested(string? current, bool requested) =>
        Assert.Equal((false, null), PushPlanner.DeltaCandidate(Node(current is null ? null : New, "xdelta3"), New, requested, true));

    [Theory]
    [InlineData(500L, 1000L, PushMode.Delta)]
    [InlineData(1000L, 1000L, PushMode.FullZstd)]
    [InlineData(2000L, 1000L, PushMode.FullZstd)]
    [InlineData(null, 1000L, PushMode.FullZstd)]
    public void DeltaGoesOnlyWhenSmallerThanTheFullUpload(long? delta, long full, PushMode expected) =>
        Assert.Equal(expected, PushPlanner.Choose(delta, full, PushMode.FullZstd));

    [Theory]
    [InlineData(732L, 55_364_096L, false)]
    [InlineData(2_000_000L, 20_000_000L, true)]
    public void CompressedFullSizeIsNeededOnlyForDeltasNotFarSmallerThanTheArchive(long delta, long archive, bool needed) =>
        Assert.Equal(needed, PushPlanner.NeedsFullSizeToDecide(delta, archive));

    [Fact]
    public void FullUploadsUseZstdThenGzipAndGoUncompressedOnlyForNodesWithNeither()
    {
        Assert.Equal(PushMode.FullZstd, PushPlanner.FullMode(Node(null, "zstd", "gzip")));
        Assert.Equal(PushMode.FullGzip, PushPlanner.FullMode(Node(null, "gzip")));
        Assert.Equal(PushMode.Full, PushPlanner.FullMode(Node(null)));
    }

    [Theory]
    [InlineData(1L, 65536L)]
    [InlineData(65536L, 65536L)]
    [InlineData(65537L, 131072L)]
    [InlineData(3_000_000L, 4_194_304L)]
    public void SourceWindowCoversTheWholeOldArchiveAsAPowerOfTwo(long size, long window) =>
        Assert.Equal(window, PushPlanner.SourceWindow(size));

    [Fact]
    public void UploadResumesOnlyFromAPrefixWhoseHashMatches()
    {
        string Local(long n) => $"h{n}";
        Assert.Equal(400, PushPlanner.ResumeOffset(400, "h400", 1000, Local));
        Assert.Equal(0, PushPlanner.ResumeOffset(400, "garbage", 1000, Local));
        Assert.Equal(0, PushPlanner.ResumeOffset(1200, "h1200", 1000, Local)); // longer than the payload
        Assert.Equal(0, PushPlanner.ResumeOffset(0, null, 1000, Local));
        Assert.Equal(1000, PushPlanner.ResumeOffset(1000, "h1000", 1000, Local)); // all there: just verify
    }

    [Fact]
    public void ProbeOutputGivesDirToolsAndCurrentVersion()
    {
        var p = NodeProbe.Parse($"dir=/root/.vz/images/app\ntool=sha256sum\ntool=zstd\ncurrent=sha256-{Old}.tar\n");
        Assert.Equal("/root/.vz/images/app", p.Dir);
        Assert.True(p.Has("zstd"));
        Assert.False(p.Has("xdelta3"));
        Assert.Equal(Old, p.CurrentSha);
    }

    [Fact]
    public void ProbeListsTheVerifiedArchivesTheNodeKeepsAndIgnoresOtherNames()
    {
        var p = NodeProbe.Parse($"dir=/x\narchive=sha256-{Old}.tar\narchive=sha256-*.tar\narchive=../evil.tar\n");
        Assert.Equal([Old], p.Archives);
    }

    [Fact]
    public void ProbeIgnoresACurrentLinkThatIsNotAnArchiveName() =>
        Assert.Null(NodeProbe.Parse("dir=/x\ncurrent=../../etc/passwd\n").CurrentSha);

    [Fact]
    public void ProbeWithoutADirectoryIsAnError() =>
        Assert.Equal("VZ3021", Assert.Throws<VzException>(() => NodeProbe.Parse("sh: mkdir: Permission denied")).Code);

    [Fact]
    public void PodmanLoadCarriesTheNodesRuntimeSettingsAndEnvironment()
    {
        var cmd = NodeScripts.Load(new NodeSettings
        {
            Runtime = "crun",
            CgroupManager = "systemd",
            Env = new Dictionary<string, string> { ["CONTAINERS_CONF"] = "/etc/vz/containers conf" },
        }, "/srv/a.tar");
        Assert.Equal("env 'CONTAINERS_CONF=/etc/vz/containers conf' podman --runtime crun --cgroup-manager systemd load -q -i /srv/a.tar", cmd);
        Assert.Equal("podman load -q -i /srv/a.tar", NodeScripts.Load(new NodeSettings(), "/srv/a.tar"));
    }

    [Fact]
    public void DeltaIsDecodedWithASixteenMegabyteWindow() =>
        Assert.Contains("xdelta3 -d -f -B 16777216 -s ", NodeScripts.ApplyDelta("/o.tar", "/d", "/n"));

    [Theory]
    [InlineData("~/.vz/images", "\"$HOME\"/.vz/images")]
    [InlineData("/srv/vz images", "'/srv/vz images'")]
    [InlineData("/it's", "'/it'\\''s'")]
    public void NodePathsAreQuotedForTheShell(string path, string quoted) =>
        Assert.Equal(quoted, Sh.Path(path));

    [Theory]
    [InlineData("localhost/vz-app:v1", "vz-app")]
    [InlineData("registry.example.org/team/app@sha256:abc", "registry.example.org_team_app")]
    [InlineData("app", "app")]
    [InlineData("localhost:5000/app:2", "localhost_5000_app")]
    public void StoreNameIsTheRepositoryWithoutTag(string image, string store) =>
        Assert.Equal(store, ImageArchive.StoreNameOf(image));

    [Fact]
    public void ImageNameComesFromIndexJsonAnnotation()
    {
        var tar = Tar(("oci-layout", "{}"), ("index.json",
            """{"schemaVersion":2,"manifests":[{"digest":"sha256:00","annotations":{"org.opencontainers.image.ref.name":"localhost/app:v3"}}]}"""));
        Assert.Equal("localhost/app:v3", ImageArchive.ReadName(tar, "a.tar"));
    }

    [Fact]
    public void ArchiveWithoutAnImageNameIsRejected()
    {
        var e = Assert.Throws<VzException>(() => ImageArchive.ReadName(Tar(("index.json", """{"manifests":[{}]}""")), "a.tar"));
        Assert.Equal("VZ3020", e.Code);
        Assert.Equal("VZ3020", Assert.Throws<VzException>(() => ImageArchive.ReadName(Tar(("x", "y")), "a.tar")).Code);
    }

    static MemoryStream Tar(params (string Name, string Text)[] files)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, text) in files)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        ms.Position = 0;
        return ms;
    }
}
