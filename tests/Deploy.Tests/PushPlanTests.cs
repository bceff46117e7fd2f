using System.Formats.Tar;
using System.Text;
using Vz.Deploy.Push;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Tests;

public class PushPlanTests
{
    static readonly string Old = new('a', 64), New = new('b', 64);

    static readonly VzpatchBinary Vzpatch = new("/opt/vz/vzpatch", 2_185_832, "0123456789abcdef" + new string('0', 48));

    static NodeProbe Node(string? current, params string[] tools) =>
        new("/srv/vz/app", tools.ToHashSet(), current) { Platform = "Linux x86_64" };

    [Fact]
    public void DeltaIsTriedWhenTheNodeHasAVersionTheCacheHoldsAndXdelta3()
    {
        Assert.Equal(new DeltaDecision(true, null, DeltaDecoder.Xdelta3, false),
            PushPlanner.DeltaCandidate(Node(Old, "xdelta3"), New, deltaRequested: true, cacheHasCurrent: true, Vzpatch));
    }

    [Fact]
    public void NoDeltaWithoutXdelta3OrVzpatchAndTheNoteSaysHowToGetVzpatch()
    {
        var d = PushPlanner.DeltaCandidate(Node(Old, "zstd"), New, true, true, vzpatch: null);
        Assert.False(d.Try);
        Assert.Contains("no xdelta3", d.Note);
        Assert.Contains("--vzpatch", d.Note);
        Assert.Contains("VZ_VZPATCH", d.Note);
    }

    [Fact]
    public void NodeWithoutXdelta3GetsVzpatchCopiedOnceThenUsesTheCopyItHas()
    {
        var first = PushPlanner.DeltaCandidate(Node(Old, "gzip"), New, true, true, Vzpatch);
        Assert.Equal((true, DeltaDecoder.Vzpatch, true), (first.Try, first.Decoder, first.InstallVzpatch));
        Assert.Contains("copying vzpatch", first.Note);

        var later = PushPlanner.DeltaCandidate(Node(Old, "gzip") with { Vzpatches = new HashSet<string> { "vzpatch-0123456789abcdef" } }, New, true, true, Vzpatch);
        Assert.Equal(new DeltaDecision(true, null, DeltaDecoder.Vzpatch, false), later);
    }

    [Fact]
    public void AnotherVzpatchBuildOnTheNodeIsNotReusedUnderItsName()
    {
        var node = Node(Old) with { Vzpatches = new HashSet<string> { "vzpatch-ffffffffffffffff" } };
        Assert.True(PushPlanner.DeltaCandidate(node, New, true, true, Vzpatch).InstallVzpatch);
    }

    [Theory]
    [InlineData("Linux aarch64")]
    [InlineData("FreeBSD amd64")]
    [InlineData(null)]
    public void VzpatchGoesOnlyToLinuxX86_64Nodes(string? platform)
    {
        var d = PushPlanner.DeltaCandidate(Node(Old, "zstd") with { Platform = platform }, New, true, true, Vzpatch);
        Assert.False(d.Try);
        Assert.Contains("runs only on Linux x86_64", d.Note);
    }

    [Fact]
    public void NoDeltaWhenTheNodesVersionIsNotCached()
    {
        var d = PushPlanner.DeltaCandidate(Node(Old, "xdelta3"), New, true, cacheHasCurrent: false);
        Assert.False(d.Try);
        Assert.Contains("not in the local cache", d.Note);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("new", true)]
    public void NoDeltaForANewNodeOrWithoutDeltaRequested(string? current, bool requested) =>
        Assert.Equal(DeltaDecision.No(null), PushPlanner.DeltaCandidate(Node(current is null ? null : New), New, requested, true, Vzpatch));

    [Theory]
    [InlineData(100_000L, 0L, PushMode.Delta)]
    [InlineData(100_000L, 2_185_832L, PushMode.Delta)]
    [InlineData(100_000L, 3_000_000L, PushMode.FullGzip)]
    public void TheVzpatchCopyCountsAgainstTheDelta(long delta, long vzpatch, PushMode expected) =>
        Assert.Equal(expected, PushPlanner.Choose(delta, 3_000_000, PushMode.FullGzip, vzpatch));

    [Theory]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    [InlineData(3, false)]
    [InlineData(126, false)]
    [InlineData(127, false)]
    [InlineData(139, false)]
    public void OnlyVzpatchExitsAboutTheDeltaKeepTheCopyOnTheNode(int exit, bool deltaProblem) =>
        Assert.Equal(deltaProblem, PushPlanner.IsDeltaProblem(exit));

    [Fact]
    public void VzpatchIsFoundByOptionThenEnvironmentThenBesideVzbuild()
    {
        var dir = Directory.CreateTempSubdirectory("vz-deploy-vzpatch-").FullName;
        try
        {
            string Bin(string name, string text)
            {
                var p = Path.Combine(dir, name);
                File.WriteAllText(p, text);
                return p;
            }
            var opt = Bin("opt", "a");
            var env = Bin("env", "b");
            Assert.Null(VzpatchBinary.Find(null, null, dir));
            var beside = Bin("vzpatch", "c");
            Assert.Equal(beside, VzpatchBinary.Find(null, "", dir)!.LocalPath);
            Assert.Equal(env, VzpatchBinary.Find(null, env, dir)!.LocalPath);
            var found = VzpatchBinary.Find(opt, env, dir)!;
            Assert.Equal((opt, 1L, ImageArchive.Sha256Of(opt)), (found.LocalPath, found.Size, found.Sha256));
            Assert.Equal("vzpatch-" + found.Sha256[..16], found.FileName);
            Assert.Equal("VZ3027", Assert.Throws<VzException>(() => VzpatchBinary.Find(Path.Combine(dir, "missing"), null, dir)).Code);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

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
    [InlineData(0L, 524_288L)]
    [InlineData(1L, 524_288L)]
    [InlineData(65536L, 524_288L)]
    [InlineData(524_288L, 524_288L)]
    [InlineData(524_289L, 1_048_576L)]
    [InlineData(3_000_000L, 4_194_304L)]
    public void SourceWindowCoversTheWholeOldArchiveAsAPowerOfTwoNeverBelowWhatXdelta3Takes(long size, long window) =>
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
    public void ProbeGivesThePlatformAndTheVzpatchCopiesButNotPartialOrOddNames()
    {
        var p = NodeProbe.Parse("dir=/root/.vz/images/app\nuname=Linux x86_64\nvzpatch=vzpatch-0123456789abcdef\n" +
                                "vzpatch=vzpatch-0123456789abcdef.part\nvzpatch=vzpatch-*\nvzpatch=../../bin/sh\n");
        Assert.Equal("Linux x86_64", p.Platform);
        Assert.Equal(["vzpatch-0123456789abcdef"], p.Vzpatches);
        Assert.Equal("/root/.vz/images/.vz", p.VzDir);
    }

    [Fact]
    public void ProbeWithoutVzpatchHasNone()
    {
        var p = NodeProbe.Parse("dir=/x/app\nuname=Linux x86_64\ntool=gzip\n");
        Assert.Empty(p.Vzpatches);
        Assert.False(p.Has("xdelta3"));
    }

    [Fact]
    public void VzpatchAppliesTheDeltaAsAOneShotCommandAndIsInstalledOnlyByRename()
    {
        Assert.Equal("/s/.vz/vzpatch-01 /s/a/o.tar /s/a/d '/s/a/n part'", NodeScripts.ApplyDeltaWithVzpatch("/s/.vz/vzpatch-01", "/s/a/o.tar", "/s/a/d", "/s/a/n part"));
        Assert.Equal("chmod 755 /s/.vz/v.part && mv -f -- /s/.vz/v.part /s/.vz/v", NodeScripts.InstallVzpatch("/s/.vz/v.part", "/s/.vz/v"));
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
