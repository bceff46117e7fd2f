using System.Net;
using System.Net.Sockets;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Bundle;

/// <summary>Images made by `vzbuild image` load and run under the real podman and read with skopeo and umoci.</summary>
public class ImageRunTests
{
    [Fact]
    public void BusyboxImageRunsUnderPodmanAndSkopeoAndUmociReadIt()
    {
        using var dir = new ScratchDir("bundle");
        using var podman = new Podman("bundle");
        var spec = BundleRunTests.WriteSpec(dir, "bb.spec", ["/bin/busybox", "echo", "hi"], ["/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["bb.bundle"]);
        var image = podman.TrackImage($"localhost/{dir.Id}:1");
        var digest = Vzbuild.Checked("image", dir["bb.bundle"], "--tag", image, "-o", dir["bb.oci.tar"]).StdOut.Trim();

        var load = podman.Checked("load", "-i", dir["bb.oci.tar"]);
        Assert.Contains(image, load.StdOut + load.StdErr);
        var run = podman.Checked("run", "--rm", image);
        Assert.Equal("hi\n", run.StdOut);

        var inspect = Tools.Checked("skopeo", "inspect", $"oci-archive:{dir["bb.oci.tar"]}");
        Assert.Contains($"\"Digest\": \"{digest}\"", inspect.StdOut);
        // umoci reads an image layout directory: the archive unpacked.
        Directory.CreateDirectory(dir["layout"]);
        Tools.Checked("tar", "-xf", dir["bb.oci.tar"], "-C", dir["layout"]);
        Tools.Checked("umoci", "unpack", "--image", dir["layout"] + ":1", dir["unpacked"]);
        Assert.True(File.Exists(dir["unpacked/rootfs/usr/bin/busybox"]));
    }

    [Fact]
    public void DynamicallyLinkedCProgramImageRunsUnderPodman()
    {
        using var dir = new ScratchDir("bundle");
        using var podman = new Podman("bundle");
        var (spec, host) = BundleRunTests.CompileHello(dir);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["b"]);
        var image = podman.TrackImage($"localhost/{dir.Id}:hello");
        Vzbuild.Checked("image", dir["b"], "--tag", image, "-o", dir["img.tar"]);
        podman.Checked("load", "-i", dir["img.tar"]);
        Assert.Equal(host, podman.Checked("run", "--rm", image).StdOut);
    }

    [Fact]
    public void BusyboxHttpdImageServesAFileUnderPodman()
    {
        using var dir = new ScratchDir("bundle");
        using var podman = new Podman("bundle");
        // A source root of our own: busybox and a web root, bundled with --root.
        var root = dir["root"];
        Directory.CreateDirectory(dir["root/usr/bin"]);
        File.Copy(Tools.Require("busybox"), dir["root/usr/bin/busybox"]);
        File.CreateSymbolicLink(dir["root/bin"], "usr/bin");
        dir.Write("root/www/index.html", "served by vz\n");
        var spec = BundleRunTests.WriteSpec(dir, "httpd.spec", ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"],
            ["/bin/busybox", "/www/index.html"]);
        Vzbuild.Checked("bundle", spec, "--root", root, "--no-closure", "--port", "8080", "-o", dir["b"]);
        var image = podman.TrackImage($"localhost/{dir.Id}:httpd");
        Vzbuild.Checked("image", dir["b"], "--tag", image, "-o", dir["img.tar"]);
        podman.Checked("load", "-i", dir["img.tar"]);
        var inspect = podman.Checked("image", "inspect", "--format", "{{json .Config.ExposedPorts}}", image);
        Assert.Contains("8080/tcp", inspect.StdOut);

        var port = FreePort();
        podman.Checked("run", "-d", "--name", podman.TrackContainer(dir.Id), "-p", $"127.0.0.1:{port}:8080", image);
        Assert.Equal("served by vz\n", Fetch($"http://127.0.0.1:{port}/index.html"));
    }

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>GET with retries while the container starts (up to ~10 s).</summary>
    internal static string Fetch(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        Exception? last = null;
        for (var i = 0; i < 40; i++)
        {
            try
            {
                return http.GetStringAsync(url).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
                Thread.Sleep(250);
            }
        }
        throw new InvalidOperationException($"{url} did not answer: {last?.Message}");
    }
}
