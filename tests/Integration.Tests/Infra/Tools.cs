namespace Vz.Integration.Tests.Infra;

/// <summary>Finds the real programs integration tests drive; a missing one fails the test with what to install.</summary>
public static class Tools
{
    public static string Require(string program) =>
        ProcessRunner.Which(program)
        ?? throw new InvalidOperationException($"{program} is not installed; run `bash harness/install-packages.sh` (integration tests drive the real {program})");

    /// <summary>Runs a program and fails the test, showing its output, when it exits non-zero.</summary>
    public static ProcessResult Checked(string program, params string[] args) =>
        Checked(new ProcessSpec(Require(program), args) { Timeout = TimeSpan.FromMinutes(2) });

    public static ProcessResult Checked(ProcessSpec spec)
    {
        var r = ProcessRunner.Run(spec);
        if (!r.Ok)
            throw new InvalidOperationException(
                $"{spec.FileName} {string.Join(' ', spec.Args)} exited {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}");
        return r;
    }
}
