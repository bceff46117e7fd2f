namespace Vz.Integration.Tests.Infra;

/// <summary>Runs the real vzbuild CLI (the built Vz.Cli next to the tests) as a child process.</summary>
public static class Vzbuild
{
    static string Dll => Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");

    public static ProcessResult Run(params string[] args) => Run(null, args);

    public static ProcessResult Run(IReadOnlyDictionary<string, string?>? env, params string[] args) => RunIn(null, env, args);

    /// <summary>Runs vzbuild in a working directory (trace records it as the program's cwd).</summary>
    public static ProcessResult RunIn(string? workDir, IReadOnlyDictionary<string, string?>? env, params string[] args) =>
        ProcessRunner.Run(new ProcessSpec("dotnet", [Dll, .. args])
        {
            Environment = env ?? new Dictionary<string, string?>(),
            WorkingDirectory = workDir,
            Timeout = TimeSpan.FromMinutes(3),
        });

    /// <summary>Runs vzbuild and fails the test with its stderr unless it exits 0.</summary>
    public static ProcessResult Checked(params string[] args)
    {
        var r = Run(args);
        if (!r.Ok)
            throw new InvalidOperationException($"vzbuild {string.Join(' ', args)} exited {r.ExitCode}\nstderr: {r.StdErr}\nstdout: {r.StdOut}");
        return r;
    }
}
