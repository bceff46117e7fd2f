using Vz.Integration.Tests.Cli;

namespace Vz.Integration.Tests.Push;

/// <summary>
/// vzpatch published once per test run (NativeAOT, 15-60 s) for every test that pushes to a node
/// without xdelta3; the tests hand it to push through VZ_VZPATCH or <c>PushOptions.Vzpatch</c>.
/// </summary>
public static class PublishedVzpatch
{
    static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>Path of the published vzpatch binary (shared; never modify it).</summary>
    public static Task<string> PathAsync() => Published.Value;

    static async Task<string> PublishAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"vz-vzpatch-push-{Environment.ProcessId}");
        var r = await ProcessRunner.RunAsync(new ProcessSpec("dotnet",
            ["publish", Path.Combine(RepoRoot.Path, "src", "Vzpatch", "Vz.Vzpatch.csproj"), "-r", "linux-x64", "-c", "Release", "-o", dir, "-nologo", "-v", "quiet"])
        {
            Timeout = TimeSpan.FromMinutes(5),
        });
        var bin = Path.Combine(dir, "vzpatch");
        if (!r.Ok || !File.Exists(bin))
            throw new InvalidOperationException($"dotnet publish of vzpatch failed (needs clang and lld: bash harness/install-packages.sh): exit {r.ExitCode}\n{r.StdOut}\n{r.StdErr}");
        // The directory is left for the process's lifetime; the name holds the pid so runs do not collide.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        };
        return bin;
    }
}
