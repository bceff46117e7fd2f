using System.Globalization;
using Vz.Fs;
using Vz.Integration.Tests.Bundle;
using Vz.Integration.Tests.Infra;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// A server that makes its working directory at start (mkdir fails with EEXIST in the traced run:
/// the image has it, owned by the server's user with mode 0700), in an image built as usual
/// (`podman build` FROM the full Debian image, USER set), minified: it starts and serves the same page.
/// </summary>
public sealed class MinifyServerTests(DebianFullImage full, ITestOutputHelper log) : IClassFixture<DebianFullImage>, IDisposable
{
    readonly ScratchDir dir = new("minify-server");

    public void Dispose() => dir.Dispose();

    /// <summary>The server's image: python3 and the server from the full image, its user and 0700 body directory.</summary>
    string BuildServerImage()
    {
        dir.Write("context/Containerfile", $"""
            FROM {full.Image}
            RUN useradd --system --uid 990 --user-group --home-dir /var/lib/vzweb vzweb \
             && mkdir -p /var/lib/vzweb/body && chown -R vzweb:vzweb /var/lib/vzweb && chmod 0700 /var/lib/vzweb/body
            COPY server.py /opt/server.py
            USER vzweb
            CMD ["python3", "/opt/server.py"]
            """);
        File.Copy(Path.Combine(Cli.RepoRoot.Path, "fixtures", "workloads", "http-server.py"), dir["context/server.py"]);
        var image = full.Podman.TrackImage($"localhost/{dir.Id}:server");
        full.Podman.Checked("build", "--network", "none", "-t", image, dir["context"]);
        return image;
    }

    string Serve(string image, string name)
    {
        var port = ImageRunTests.FreePort();
        full.Podman.Checked("run", "-d", "--name", full.Podman.TrackContainer($"{dir.Id}-{name}"), "-p", $"127.0.0.1:{port}:8080",
            image, "python3", "/opt/server.py");
        return ImageRunTests.Fetch($"http://127.0.0.1:{port}/");
    }

    long Size(string image) => long.Parse(full.Podman.Checked("image", "inspect", "--format", "{{.Size}}", image).StdOut.Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public void ServerThatMakesItsDirectoriesAtStartIsMinifiedAndServesTheSamePage()
    {
        var image = BuildServerImage();
        var expected = Serve(image, "full");
        Assert.Equal("served by uid 990; /var/lib/vzweb/body writable: True\n", expected);

        var minified = full.Podman.TrackImage($"localhost/{dir.Id}:min");
        var r = Vzbuild.Run(full.Podman.Environment, "minify", "--from", image, "-o", dir["out"], "-t", minified, "-p", "8080",
            "--", "python3", "/opt/server.py", "--once");
        Assert.True(r.Ok, r.StdErr);
        Assert.Equal("served by uid 0; /var/lib/vzweb/body writable: True\n", r.StdOut); // traced as root

        // The directory only the failed mkdir named came with its owner and mode.
        var body = FileStat.Of(dir["out/bundle/rootfs/var/lib/vzweb/body"]);
        Assert.NotNull(body);
        Assert.Equal((UnixFileType.Directory, 990u, 0b111_000_000), (body.Type, body.Uid, body.Permissions));
        Assert.Contains("/var/lib/vzweb/body", File.ReadAllLines(dir["out/spec"]));

        full.Podman.Checked("load", "-i", dir["out/image.oci.tar"]);
        Assert.Equal(expected, Serve(minified, "min"));
        log.WriteLine($"server image {Size(image):N0} bytes, minified {Size(minified):N0} bytes: {(double)Size(image) / Size(minified):0.0}x smaller");
    }
}
