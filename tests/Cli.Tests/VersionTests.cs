using Vz.Cli.Help;

namespace Vz.Cli.Tests;

/// <summary>vzbuild --version: the version and the commit it was built from, or plainly that there was none.</summary>
public class VersionTests
{
    [Fact]
    public void TheCommitTheSdkStampedIsShownWithTheVersion() =>
        Assert.Equal("vzbuild 0.1.0 (commit 6b6be37c77734cb88532e6fe7e258394ab06f586)", VersionText.Line("0.1.0+6b6be37c77734cb88532e6fe7e258394ab06f586"));

    [Fact]
    public void ABuildOutsideAGitCheckoutSaysItHasNoCommit() =>
        Assert.Equal($"vzbuild 0.1.0 ({VersionText.NoCommit})", VersionText.Line("0.1.0"));

    [Theory]
    [InlineData(null, "0.0.0", null)]
    [InlineData("", "0.0.0", null)]
    [InlineData("0.2.0-beta.1+abc123", "0.2.0-beta.1", "abc123")]
    [InlineData("0.1.0+not-a-sha", "0.1.0", null)]
    public void TheInformationalVersionSplitsIntoVersionAndCommit(string? informational, string version, string? commit) =>
        Assert.Equal((version, commit), VersionText.Parse(informational));

    [Fact]
    public void VersionPrintsOneLineWithThisBuildsCommit()
    {
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, Program.Run(["--version"], stdout, new StringWriter()));
        // The tests are built in a git checkout: the SDK stamps the commit.
        Assert.Matches("^vzbuild [0-9]+\\.[0-9]+\\.[0-9]+[^ ]* \\(commit [0-9a-f]{40}\\)\n$", stdout.ToString());
    }
}
