using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Examples;

/// <summary>
/// A copy of examples/hello-web, as the app's own repository is on its user's machine, with a
/// hosts.ini naming the test nodes ([web]) and `make` run in it: vzbuild from PATH (the installed
/// tool), the test nodes' SSH key and known_hosts, podman images under names of its own (removed
/// on Dispose), the Debian base imported from the test nodes' debootstrapped tree.
/// </summary>
public sealed class ExampleRepo : IDisposable
{
    readonly ScratchDir dir = new("example");
    readonly Podman podman = new("example");
    readonly IReadOnlyDictionary<string, string?> environment;
    readonly string[] variables;

    public ExampleRepo(string name, VzbuildTool tool, string debianRootfs, string inventory)
    {
        Copy(Vz.Tests.RepoRoot.Combine("examples", name), Path);
        // vznode's inventory names its group [nodes]; the example's vz.yaml places the pod on [web].
        File.WriteAllText(this["hosts.ini"], inventory.Replace("[nodes]", "[web]", StringComparison.Ordinal) + "\n");
        var env = new Dictionary<string, string?>(podman.Environment)
        {
            ["PATH"] = tool.ToolPath + ":" + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
            ["VZ_SSH_IDENTITY"] = VzNode.SshKeyPath,
            ["VZ_KNOWN_HOSTS"] = VzNode.KnownHostsPath,
            ["VZ_SSH_CONFIG"] = "/dev/null",
            ["VZ_CACHE_DIR"] = dir["push-cache"],
            ["MAKEFLAGS"] = null,
        };
        environment = env;
        BaseImage = podman.TrackImage($"localhost/{dir.Id}:base");
        FullImage = podman.TrackImage($"localhost/{dir.Id}:full");
        variables = [$"BASE={BaseImage}", $"FULL={FullImage}", $"DEBIAN_ROOTFS={debianRootfs}"];
    }

    public string Path => dir.Path;
    public string this[string relative] => dir[relative];
    public string BaseImage { get; }
    public string FullImage { get; }

    /// <summary>`make TARGET [VAR=VALUE...]` in the repository; the caller asserts on the result.</summary>
    public Task<ProcessResult> MakeAsync(string target, params string[] more) =>
        ProcessRunner.RunAsync(new ProcessSpec(Tools.Require("make"), ["--no-print-directory", target, .. variables, .. more])
        {
            WorkingDirectory = Path,
            Environment = environment,
            StdIn = [],
            Timeout = TimeSpan.FromMinutes(8),
        });

    /// <summary>`podman image inspect` .Size of the image `make image` built before minifying.</summary>
    public long FullImageSize() => long.Parse(podman.Checked("image", "inspect", "--format", "{{.Size}}", FullImage).StdOut.Trim(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The repository's files as git has them: not a build/ or hosts.ini someone made in the example by hand.</summary>
    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(from, file);
            if (relative.StartsWith("build/", StringComparison.Ordinal) || relative == "hosts.ini")
                continue;
            var target = System.IO.Path.Combine(to, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        podman.Dispose();
        dir.Dispose();
    }
}
