// Cake build script: `dotnet tool restore && dotnet cake --target=Test`.
// Targets: Build, Test (unit + integration; needs root and harness/install-packages.sh),
// UnitTest (the unit projects: no outside tools, no root), Pack (the vzbuild dotnet tool into
// artifacts/), Publish (a runnable out/vzbuild), Bench (bench/all: BENCHMARKS.md; root, harness installed;
// --sections=minify,deltas runs some, --bench-out=DIR collects a piecewise series).
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
    // Every benchmark, then BENCHMARKS.md and the README's Numbers block from their results
    // (bench/all; root, harness installed). A failed section is written up as failed, and fails the target.
    // --sections=minify,deltas runs some of them; with --bench-out=DIR the same results directory
    // collects a piecewise series, and BENCHMARKS.md is written once it holds every section.
    var sections = Argument("sections", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var environment = new Dictionary<string, string> { ["VZBUILD"] = MakeAbsolute(File("out/vzbuild")).FullPath };
    var benchOut = Argument("bench-out", "");
    if (benchOut != "")
        environment["BENCH_OUT"] = MakeAbsolute(Directory(benchOut)).FullPath;
    var exit = StartProcess("bash", new ProcessSettings
    {
        Arguments = ProcessArgumentBuilder.FromStrings(new[] { "bench/all" }.Concat(sections)),
        EnvironmentVariables = environment,
    });
    if (exit != 0)
        throw new Exception($"bench/all exited {exit}: see BENCHMARKS.md for the section that failed");
});

RunTarget(target);
