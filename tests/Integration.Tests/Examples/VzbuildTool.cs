using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Examples;

/// <summary>
/// vzbuild as a user installs it: `dotnet pack src/Cli` (the build these tests run on, packed
/// afresh) and `dotnet tool install --tool-path` from that package. NuGet's package cache is a
/// directory of its own, so an older vzbuild 0.1.0 cached on the machine is never installed instead.
/// </summary>
public sealed class VzbuildTool : IDisposable
{
#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    readonly ScratchDir dir = new("vzbuild-tool");

    VzbuildTool() { }

    /// <summary>The directory holding the installed `vzbuild` command (put it first on PATH).</summary>
    public string ToolPath => dir["tool"];

    public static async Task<VzbuildTool> PackAndInstallAsync()
    {
        var tool = new VzbuildTool();
        try
        {
            // --no-build: the package of exactly what the test run built (vzpatch is still published into it).
            await DotnetAsync(tool, "pack", Vz.Tests.RepoRoot.Combine("src", "Cli"), "-c", Configuration, "--no-build", "-o", tool.dir["pkg"], "-nologo");
            var package = Path.GetFileNameWithoutExtension(Directory.GetFiles(tool.dir["pkg"], "vzbuild.*.nupkg").Single());
            await DotnetAsync(tool, "tool", "install", "--tool-path", tool.ToolPath, "--add-source", tool.dir["pkg"],
                "vzbuild", "--version", package["vzbuild.".Length..]);
            return tool;
        }
        catch
        {
            tool.Dispose();
            throw;
        }
    }

    static async Task DotnetAsync(VzbuildTool tool, params string[] args)
    {
        var r = await ProcessRunner.RunAsync(new ProcessSpec("dotnet", args)
        {
            Environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = tool.dir["nuget"], ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            Timeout = TimeSpan.FromMinutes(5),
        });
        if (!r.Ok)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} exited {r.ExitCode}\nstdout: {r.StdOut}\nstderr: {r.StdErr}");
    }

    public void Dispose() => dir.Dispose();
}
