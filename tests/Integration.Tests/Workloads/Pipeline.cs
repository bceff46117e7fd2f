using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Workloads;

/// <summary>
/// A scratch directory under /var/tmp, not /tmp: a container starts with an empty /tmp, so the
/// closure leaves /tmp's contents out, and a program traced from there could not be bundled.
/// </summary>
public sealed class VarTmpDir : IDisposable
{
    public VarTmpDir(string part)
    {
        Path = $"/var/tmp/vz-{part}-{Guid.NewGuid():N}"[..^20];
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Id => System.IO.Path.GetFileName(Path).ToLowerInvariant();

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a file (creating its directory) and returns its path.</summary>
    public string Write(string relative, string content)
    {
        var p = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>What one workload printed: run directly, traced, from the bundle under runc, from the image under podman.</summary>
public sealed record WorkloadOutputs(ProcessResult Original, ProcessResult Traced, ProcessResult Runc, ProcessResult Podman, string Image);

/// <summary>
/// The pipeline on the real tools, through the built CLI: run the program, `vzbuild trace`
/// it (in its own directory, so the spec records that cwd), `vzbuild bundle` the spec with its
/// closure, `runc run` the bundle, `vzbuild image` + `podman load` + `podman run` the image.
/// </summary>
public static class Pipeline
{
    public static WorkloadOutputs Run(VarTmpDir dir, Podman podman, string name, params string[] command)
    {
        // .NET resolves "./prog" against the test's cwd, not WorkingDirectory.
        var program = command[0].StartsWith("./", StringComparison.Ordinal) ? dir[command[0][2..]] : command[0];
        var original = ProcessRunner.Run(new ProcessSpec(program, command[1..])
        {
            WorkingDirectory = dir.Path,
            StdIn = [],
            Timeout = TimeSpan.FromSeconds(60),
        });
        Assert.True(original.Ok, $"the original {name} failed: {original.StdErr}");

        var spec = dir[name + ".spec"];
        var traced = Vzbuild.RunIn(dir.Path, null, ["trace", "-o", spec, "--", .. command]);
        Assert.True(traced.Ok, $"vzbuild trace {name}: {traced.StdErr}");

        var bundle = dir[name + ".bundle"];
        Checked(Vzbuild.Run("bundle", spec, "-o", bundle), "bundle");
        var runc = Infra.Runc.Run(bundle, $"{dir.Id}-{name}");

        var image = podman.TrackImage($"localhost/{dir.Id}:{name}");
        var archive = dir[name + ".oci.tar"];
        Checked(Vzbuild.Run("image", bundle, "--tag", image, "-o", archive), "image");
        podman.Checked("load", "-i", archive);
        var run = podman.Run("run", "--rm", image);
        return new WorkloadOutputs(original, traced, runc, run, image);
    }

    static void Checked(ProcessResult r, string what) =>
        Assert.True(r.Ok, $"vzbuild {what} exited {r.ExitCode}: {r.StdErr}");

    /// <summary>Everything a run printed, for assertion messages.</summary>
    public static string Show(ProcessResult r) => $"exit {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}";
}
