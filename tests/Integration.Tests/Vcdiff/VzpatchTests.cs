using Vz.Vzpatch;

namespace Vz.Vcdiff.Tests;

/// <summary>vzpatch as the node runs it: a process, exit codes, one stderr line, no partial output left.</summary>
public sealed class VzpatchTests : IDisposable
{
    private readonly Xdelta _xd = new();
    private readonly string _oldPath;
    private readonly string _newPath;
    private readonly string _delta;

    public VzpatchTests()
    {
        var old = Inputs.Structured(40, 300_000);
        _oldPath = _xd.Write("old", old);
        _newPath = _xd.Write("new", Inputs.RandomEdits(old, 41, 10));
        _delta = _xd.Encode(_oldPath, _newPath, "-e -S none -9 -B 16777216");
    }

    public void Dispose() => _xd.Dispose();

    private static ProcessResult Vzpatch(params string[] args) =>
        ProcessRunner.Run(new ProcessSpec("dotnet", [Path.Combine(AppContext.BaseDirectory, "vzpatch.dll"), .. args]));

    [Fact]
    public void AppliesADeltaAndExitsZero()
    {
        var output = _xd.Path("out");
        var result = Vzpatch(_oldPath, _delta, output);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(_newPath), File.ReadAllBytes(output));
    }

    [Fact]
    public void ReadsTheDeltaFromStdin()
    {
        var output = _xd.Path("out-stdin");
        var result = ProcessRunner.Run(new ProcessSpec("dotnet", [Path.Combine(AppContext.BaseDirectory, "vzpatch.dll"), _oldPath, "-", output])
        {
            StdIn = File.ReadAllBytes(_delta),
        });
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(_newPath), File.ReadAllBytes(output));
    }

    [Fact]
    public void CorruptDeltaExitsFourWithOneLineAndLeavesNoOutput()
    {
        var broken = File.ReadAllBytes(_delta);
        broken[^1] ^= 0xFF;
        var brokenPath = _xd.Write("broken", broken);
        var output = _xd.Path("out-broken");
        var result = Vzpatch(_oldPath, brokenPath, output);
        Assert.Equal(ExitCodes.BadDelta, result.ExitCode);
        Assert.Matches(@"^vzpatch: VZ390\d: .*window \d+", result.StdErr.Trim());
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void WrongArgumentsExitTwoAndMissingFilesExitThree()
    {
        Assert.Equal(ExitCodes.Usage, Vzpatch(_oldPath, _delta).ExitCode);
        var missing = Vzpatch(_xd.Path("nope"), _delta, _xd.Path("out-missing"));
        Assert.Equal(ExitCodes.Io, missing.ExitCode);
        Assert.Contains("nope", missing.StdErr);
    }

    [Theory]
    [InlineData("VZ3901", ExitCodes.BadDelta)]
    [InlineData("VZ3902", ExitCodes.BadDelta)]
    [InlineData("VZ3903", ExitCodes.BadDelta)]
    [InlineData("VZ3904", ExitCodes.BadDelta)]
    [InlineData("VZ3905", ExitCodes.Unsupported)]
    [InlineData("VZ3906", ExitCodes.WrongSource)]
    [InlineData("VZ3907", ExitCodes.Unsupported)]
    [InlineData("VZ3908", ExitCodes.Io)]
    public void ExitCodeIsAFunctionOfTheError(string code, int expected) =>
        Assert.Equal(expected, ExitCodes.For(VcdiffErrors.All.Single(e => e.Id == code)));
}
