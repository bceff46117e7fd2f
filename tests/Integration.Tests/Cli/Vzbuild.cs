namespace Vz.Integration.Tests.Cli;

/// <summary>Runs the built vzbuild (the Cli project's output, copied beside the tests) as a real process.</summary>
public static class Vzbuild
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "vzbuild.dll");

    public static ProcessResult Run(params string[] args) => RunIn(null, args);

    public static ProcessResult RunIn(string? workingDirectory, params string[] args) =>
        ProcessRunner.Run(new ProcessSpec("dotnet", [Dll, .. args])
        {
            WorkingDirectory = workingDirectory,
            Environment = new Dictionary<string, string?> { ["TERM"] = null },
            Timeout = TimeSpan.FromMinutes(10),
        });
}
