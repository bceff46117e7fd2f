using System.Security.Cryptography;
using Vz.Fs;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// `vzbuild bundle`, `vzbuild minify` and `vzbuild trace` resolve a spec the same way (expand,
/// close, '-' lines last), so one spec and one root give byte-identical rootfs whichever builds it.
/// </summary>
public sealed class OneSpecThreeWaysTests : IDisposable
{
    readonly ScratchDir dir = new("three-ways");

    public void Dispose() => dir.Dispose();

    static readonly string[] Command = ["/usr/bin/id", "-un"];

    /// <summary>A small rootfs holding the host's id(1) with its libraries and NSS set, made by vzbuild itself.</summary>
    string StageRoot()
    {
        Vzbuild.Checked("ldd", "-o", dir["id.spec"], "/usr/bin/id");
        Vzbuild.Checked("bundle", dir["id.spec"], "--no-closure", "-o", dir["stage"]);
        return dir["stage/rootfs"];
    }

    /// <summary>Every entry below a rootfs, without following links: path, type, mode, owner, mtime, size, target, content hash.</summary>
    static List<string> Fingerprint(string rootfs) => ScratchDir.Listing(rootfs).Select(rel =>
    {
        var host = Path.Combine(rootfs, rel);
        var st = FileStat.Of(host)!;
        var detail = st.Type switch
        {
            UnixFileType.Symlink => new FileInfo(host).LinkTarget,
            UnixFileType.Regular => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(host))),
            _ => "",
        };
        return $"{rel} {st.Type} {st.Permissions:x} {st.Uid}:{st.Gid} {st.MTimeSeconds}.{st.MTimeNanos} {st.Size} {detail}";
    }).ToList();

    [Fact]
    public void BundleMinifyAndTraceGiveTheSameRootfsForOneSpecWithARuleTheClosureWouldUndo()
    {
        var root = StageRoot();
        Vzbuild.Checked(["trace", "--root", root, "-o", dir["traced.spec"], "--", .. Command]);
        // id reads /etc/passwd, and the NSS closure would add it anyway: the '-' line must win.
        var spec = dir.Write("id-rules.spec", File.ReadAllText(dir["traced.spec"]) + "- /etc/passwd\n");
        Assert.Contains("/etc/passwd\n", File.ReadAllText(spec));

        Vzbuild.Checked("bundle", spec, "--root", root, "-o", dir["by-bundle"]);
        var minified = Vzbuild.Run(["minify", "--from", root, "--rules", spec, "-o", dir["by-minify"], "-t", $"localhost/{dir.Id}:1", "--", .. Command]);
        Assert.True(minified.Ok, minified.StdErr);
        Assert.Equal("root\n", minified.StdOut);
        Vzbuild.Checked(["trace", "--root", root, "--rules", spec, "-o", dir["by-trace.spec"], "--", .. Command]);
        // The spec trace writes lists exactly its rootfs: bundled without a closure of its own.
        Vzbuild.Checked("bundle", dir["by-trace.spec"], "--root", root, "--no-closure", "-o", dir["by-trace"]);

        var byBundle = Fingerprint(dir["by-bundle/rootfs"]);
        Assert.Contains(byBundle, e => e.StartsWith("usr/bin/id ", StringComparison.Ordinal));
        Assert.Contains(byBundle, e => e.StartsWith("etc/group ", StringComparison.Ordinal));
        Assert.DoesNotContain(byBundle, e => e.StartsWith("etc/passwd ", StringComparison.Ordinal));
        Assert.Equal(byBundle, Fingerprint(dir["by-minify/bundle/rootfs"]));
        Assert.Equal(byBundle, Fingerprint(dir["by-trace/rootfs"]));
        Assert.Equal(File.ReadAllText(dir["by-minify/spec"]), File.ReadAllText(dir["by-trace.spec"]));
    }
}
