using Vz.Integration.Tests.Push;
using Vz.Vcdiff.Tests;
using Vz.Vzpatch;

namespace Vz.Integration.Tests.Vcdiff;

/// <summary>
/// The published vzpatch as a node runs it: exit codes, one stderr line, and the hardening
/// issue's reproductions (each crashed, deleted or misdecoded before).
/// </summary>
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

    private static async Task<ProcessResult> Vzpatch(params string[] args) =>
        await ProcessRunner.RunAsync(new ProcessSpec(await PublishedVzpatch.PathAsync(), args) { Timeout = TimeSpan.FromMinutes(2) });

    private static void AssertOneLine(ProcessResult result, string code)
    {
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.StartsWith($"vzpatch: {code}: ", result.StdErr);
        Assert.DoesNotContain("Unhandled", result.StdErr);
    }

    [Fact]
    public async Task AppliesADeltaAndExitsZero()
    {
        var output = _xd.Path("out");
        var result = await Vzpatch(_oldPath, _delta, output);
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal("", result.StdErr);
        Assert.Equal(File.ReadAllBytes(_newPath), File.ReadAllBytes(output));
    }

    [Fact]
    public async Task ReadsTheDeltaFromStdin()
    {
        var output = _xd.Path("out-stdin");
        var result = await ProcessRunner.RunAsync(new ProcessSpec(await PublishedVzpatch.PathAsync(), [_oldPath, "-", output])
        {
            StdIn = File.ReadAllBytes(_delta),
        });
        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(_newPath), File.ReadAllBytes(output));
    }

    [Fact]
    public async Task CorruptDeltaExitsFourWithOneLineAndLeavesNoOutput()
    {
        var broken = File.ReadAllBytes(_delta);
        broken[^1] ^= 0xFF;
        var brokenPath = _xd.Write("broken", broken);
        var output = _xd.Path("out-broken");
        var result = await Vzpatch(_oldPath, brokenPath, output);
        Assert.Equal(ExitCodes.BadDelta, result.ExitCode);
        Assert.Matches(@"^vzpatch: VZ390[2-4]: .*window \d+", result.StdErr.Trim());
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
        Assert.Equal(new[] { "broken", "new", "old", Path.GetFileName(_delta) }.Order(StringComparer.Ordinal), Directory.GetFiles(_xd.Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WrongArgumentsExitTwoAndMissingFilesExitThreeWithACode()
    {
        Assert.Equal(ExitCodes.Usage, (await Vzpatch(_oldPath, _delta)).ExitCode);
        var missing = await Vzpatch(_xd.Path("nope"), _delta, _xd.Path("out-missing"));
        Assert.Equal(ExitCodes.Io, missing.ExitCode);
        AssertOneLine(missing, "VZ3908");
        Assert.Contains(_xd.Path("nope"), missing.StdErr);
        Assert.False(File.Exists(_xd.Path("out-missing")));
    }

    /// <summary>The issue's hostile deltas, each with what it did before.</summary>
    [Theory]
    // `vzpatch /dev/null c.vcd out` died of an ArgumentOutOfRangeException (exit 134) and left a 0-byte out.
    [InlineData("bomb-data-2GiB.vcdiff", ExitCodes.BadDelta, "VZ3902", "2147483648")]
    // xdelta3 -e of a .gz without -s decoded to the decompressed bytes with exit 0.
    [InlineData("bomb-gzip-target-nosource.vcdiff", ExitCodes.Unsupported, "VZ3905", "gzip")]
    // Dictionary byte 40 made a 162 KB delta peak at 2.1 GB.
    [InlineData("bomb-lzma-dict40.vcdiff", ExitCodes.Unsupported, "VZ3907", "limit")]
    public async Task HostileDeltaExitsWithOneLineAndLeavesNoOutput(string delta, int exit, string code, string says)
    {
        var output = _xd.Path("out-" + delta);
        var result = await Vzpatch("/dev/null", Corpus.Get(delta).DeltaPath, output);
        Assert.Equal(exit, result.ExitCode);
        AssertOneLine(result, code);
        Assert.Contains(says, result.StdErr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task SourceThatIsAPipeDecodes()
    {
        // The issue: `vzpatch <(cat src) delta out` died of a NotSupportedException.
        var output = _xd.Path("out-pipe");
        var result = await ProcessRunner.RunAsync(new ProcessSpec("bash",
            ["-c", "exec \"$0\" <(cat \"$1\") \"$2\" \"$3\"", await PublishedVzpatch.PathAsync(), _oldPath, _delta, output]));
        Assert.True(result.Ok, result.StdErr);
        Assert.Equal(File.ReadAllBytes(_newPath), File.ReadAllBytes(output));
        Assert.DoesNotContain(Directory.GetFiles(_xd.Dir), f => f.Contains("vzpatch"));
    }

    [Fact]
    public async Task FailedDecodeLeavesAnExistingOutputAlone()
    {
        // The issue: a failed decode deleted a pre-existing OUTPUT.
        var output = _xd.Write("existing", "precious"u8.ToArray());
        var broken = File.ReadAllBytes(_delta);
        var result = await Vzpatch(_oldPath, _xd.Write("cut", broken[..(broken.Length / 2)]), output);
        Assert.Equal(ExitCodes.BadDelta, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(output));
    }
}
