// Cake build script: `dotnet tool restore && dotnet cake --target=Test`.
// Targets: Build, Test (unit + integration; needs root and harness/install-packages.sh),
// UnitTest (the unit projects: no outside tools, no root), Pack (the vzbuild dotnet tool into
// artifacts/), Publish (a runnable out/vzbuild), Bench.
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./vz.slnx";

Task("Build").Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("UnitTest").IsDependentOn("Build").Does(() =>
{
    // Every test project but Integration.Tests (which runs strace, runc, podman, sshd and test nodes).
    foreach (var project in new[] { "tests/Core.Tests", "tests/Oci.Tests", "tests/Trace.Tests", "tests/Bundle.Tests",
                                    "tests/Deploy.Tests", "tests/Vcdiff.Tests", "tests/Cli.Tests" })
        DotNetTest(project, new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    DotNetTest(solution, new DotNetTestSettings { Configuration = configuration, NoBuild = true });
});

Task("Publish").Does(() =>
{
    DotNetPublish("src/Cli", new DotNetPublishSettings { Configuration = configuration, OutputDirectory = "out" });
});

Task("Pack").Does(() =>
{
    DotNetPack("src/Cli", new DotNetPackSettings { Configuration = configuration, OutputDirectory = "artifacts" });
});

Task("Bench").IsDependentOn("Publish").Does(() =>
{
    StartProcess("bash", new ProcessSettings { Arguments = "bench/run" });
    StartProcess("bash", new ProcessSettings { Arguments = "bench/deploy" });
});

RunTarget(target);
