using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Deploy;

/// <summary>One image version of the test web app: its archive and the name it holds.</summary>
public sealed record AppImage(string Image, string Archive)
{
    public long Size => new FileInfo(Archive).Length;
}

/// <summary>
/// The deploy tests' web app, built the way a user builds one: a root of busybox-static, a page
/// and 1 MiB of random bytes (so a full upload is big beside a delta), <c>vzbuild bundle</c> and
/// <c>vzbuild image</c>. Every start appends its version to /data/starts (the pod's volume, served
/// at /starts through a link made at start) and says so on stdout and stderr; httpd logs each request to stderr (the journal).
/// Versions: 1 and 2 differ in one file (index.html); "crash" exits at once; "404" runs but
/// serves a directory without a page; "api" is a second app (its own image name).
/// Built once per test run, shared by every deploy test, removed when the run ends.
/// </summary>
public sealed class WebApp
{
    static readonly Lazy<WebApp> Shared = new(() => new WebApp(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static WebApp Get() => Shared.Value;

    readonly ScratchDir dir = new("deploy-app");

    public AppImage V1 { get; }
    public AppImage V2 { get; }
    public AppImage Crash { get; }
    public AppImage NotFound { get; }
    public AppImage Api { get; }
    /// <summary>The image issue 9's fleet file names (localhost/web:1), for deploying that file as written.</summary>
    public AppImage Issue9 { get; }

    /// <summary>
    /// The app's start: a TERM handler (httpd as pid 1 would ignore SIGTERM and be killed after 10 s),
    /// the start log, httpd on 8080 (serving <paramref name="serve"/>) and a second one on 8081 (the page).
    /// </summary>
    static string Start(string serve) =>
        "[\"/bin/sh\",\"-c\",\"trap 'exit 0' TERM; v=$(cat /www/index.html); echo \\\"$v\\\" >> /data/starts; ln -sf /data/starts /www/starts; echo \\\"app $v starting\\\"; " +
        $"echo \\\"app $v stderr\\\" >&2; /bin/busybox httpd -f -vv -p 8080 -h {serve} & /bin/busybox httpd -f -p 8081 -h /www & wait\"]";

    WebApp()
    {
        var busybox = ProcessRunner.Which("busybox") ?? throw new InvalidOperationException("busybox not found: install busybox-static");
        var root = dir["root"];
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        Directory.CreateDirectory(Path.Combine(root, "www"));
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.Copy(busybox, Path.Combine(root, "bin/busybox"));
        File.CreateSymbolicLink(Path.Combine(root, "bin/sh"), "busybox");
        File.WriteAllBytes(Path.Combine(root, "www/blob.bin"), RandomBytes(1 << 20));
        var spec = dir.Write("app.spec", "/bin/busybox\n/bin/sh\n/data\n/www/index.html\n/www/blob.bin\n");

        V1 = Build(root, spec, "localhost/vzweb:1", "web v1", Start("/www"));
        V2 = Build(root, spec, "localhost/vzweb:2", "web v2", Start("/www"));
        Crash = Build(root, spec, "localhost/vzweb:crash", "web crash", "[\"/bin/sh\",\"-c\",\"echo crashing; exit 3\"]");
        NotFound = Build(root, spec, "localhost/vzweb:404", "web 404", Start("/bin"));
        Api = Build(root, spec, "localhost/vzapi:1", "api v1", Start("/www"));
        Issue9 = Build(root, spec, "localhost/web:1", "issue 9", Start("/www"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => dir.Dispose();
    }

    readonly Lock building = new();

    /// <summary>
    /// One more version of the app, its page apart from version 1's (a one-file change): for a test
    /// that must ship a version no other test of its fleet shipped before (so it goes as a delta).
    /// </summary>
    public AppImage Another(string image, string page)
    {
        lock (building)
            return Build(dir["root"], dir["app.spec"], image, page, Start("/www"));
    }

    AppImage Build(string root, string spec, string image, string page, string cmd)
    {
        File.WriteAllText(Path.Combine(root, "www/index.html"), page + "\n");
        var name = image.Replace("localhost/", "").Replace(':', '-');
        var bundle = dir[name + ".bundle"];
        Vzbuild.Checked("bundle", spec, "--root", root, "-o", bundle, "--cmd", cmd);
        var archive = dir[name + ".oci.tar"];
        Vzbuild.Checked("image", bundle, "--tag", image, "-o", archive);
        return new AppImage(image, archive);
    }

    static byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        new Random(9).NextBytes(b);
        return b;
    }
}
