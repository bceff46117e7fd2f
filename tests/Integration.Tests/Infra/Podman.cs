namespace Vz.Integration.Tests.Infra;

/// <summary>
/// Drives the real podman with a CONTAINERS_CONF file of its own (runc, cgroupfs, ulimits at
/// or below the host's; see ENVIRONMENT.md), so nothing in /etc is changed. Images and
/// containers the test names with <see cref="TrackImage"/>/<see cref="TrackContainer"/> are
/// removed on Dispose.
/// </summary>
public sealed class Podman : IDisposable
{
    public const string TestConf = """
        [containers]
        default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        """;

    readonly ScratchDir dir;
    readonly List<string> images = new();
    readonly List<string> containers = new();

    public Podman(string part)
    {
        dir = new ScratchDir(part + "-podman");
        ConfPath = dir.Write("containers.conf", TestConf + "\n");
    }

    public string ConfPath { get; }

    /// <summary>The environment to give any process that should use this podman configuration.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["CONTAINERS_CONF"] = ConfPath };

    public ProcessResult Run(params string[] args) => Run(TimeSpan.FromMinutes(2), args);

    public ProcessResult Run(TimeSpan timeout, params string[] args) =>
        ProcessRunner.Run(new ProcessSpec(Tools.Require("podman"), args) { Environment = Environment, Timeout = timeout, StdIn = [] });

    /// <summary>Runs podman and fails the test with its output unless it exits 0.</summary>
    public ProcessResult Checked(params string[] args)
    {
        var r = Run(args);
        if (!r.Ok)
            throw new InvalidOperationException($"podman {string.Join(' ', args)} exited {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}");
        return r;
    }

    public string TrackImage(string reference) { images.Add(reference); return reference; }

    public string TrackContainer(string name) { containers.Add(name); return name; }

    public void Dispose()
    {
        foreach (var c in containers)
            Run("rm", "-f", "-t", "0", c);
        foreach (var i in images)
            Run("rmi", "-f", i);
        dir.Dispose();
    }
}
