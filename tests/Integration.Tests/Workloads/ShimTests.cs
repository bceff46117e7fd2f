using Vz.Integration.Tests.Infra;
using Vz.Trace.Spec;

namespace Vz.Integration.Tests.Workloads;

/// <summary>
/// A command found on PATH in a directory the container's PATH lacks, as a version manager's shim
/// (pyenv's ~/.pyenv/shims/python3) or ~/.local/bin: the spec records which file execvp ran
/// (<c># vz-exec:</c>), and the bundle starts that file.
/// </summary>
public sealed class ShimTests
{
    [Fact]
    public void ShimFirstOnPathTracesIntoABundleThatStartsTheSameProgramUnderRunc()
    {
        using var dir = new VarTmpDir("shim");
        // pyenv's layout: shims/python3 is a script exec-ing versions/VERSION/bin/python3, a link to the real one.
        Directory.CreateDirectory(dir["versions/3.11/bin"]);
        File.CreateSymbolicLink(dir["versions/3.11/bin/python3"], "/usr/bin/python3.11");
        var shim = dir.Write("shims/python3", $"#!/bin/sh\nexec {dir["versions/3.11/bin/python3"]} \"$@\"\n");
        File.SetUnixFileMode(shim, (UnixFileMode)0b111_101_101);
        var env = new Dictionary<string, string?> { ["PATH"] = $"{dir["shims"]}:/usr/bin:/bin" };
        string[] command = ["python3", "-c", "import json, sys; print(json.dumps({'prefix': sys.prefix, 'answer': 6 * 7}))"];
        const string expected = "{\"prefix\": \"/usr\", \"answer\": 42}\n";

        var traced = Vzbuild.RunIn(dir.Path, env, ["trace", "-o", dir["py.spec"], "--", .. command]);
        Assert.True(traced.Ok, traced.StdErr);
        Assert.Equal(expected, traced.StdOut);
        var spec = SpecFormat.Load(dir["py.spec"]);
        Assert.Equal(command, spec.Command);
        Assert.Equal(shim, spec.Executable);
        Assert.Contains(shim, spec.Paths);

        var bundled = Vzbuild.Run("bundle", dir["py.spec"], "-o", dir["py.bundle"]);
        Assert.True(bundled.Ok, bundled.StdErr);
        Assert.Contains($"\"{shim}\"", File.ReadAllText(dir["py.bundle/config.json"]));
        var run = Runc.Run(dir["py.bundle"], dir.Id);
        Assert.True(run.Ok, Pipeline.Show(run));
        Assert.Equal(expected, run.StdOut);
        Assert.Equal("", run.StdErr);
    }
}
