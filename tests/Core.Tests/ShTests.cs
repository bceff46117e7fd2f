namespace Vz.Core.Tests;

public class ShTests
{
    [Theory]
    [InlineData("~/.vz/images", "\"$HOME\"/.vz/images")]
    [InlineData("/srv/vz images", "'/srv/vz images'")]
    [InlineData("/it's", "'/it'\\''s'")]
    public void NodePathsAreQuotedForTheShell(string path, string quoted) =>
        Assert.Equal(quoted, Sh.Path(path));

    [Theory]
    [InlineData("plain/path-1.0_x=y:z@h+a,b")]
    [InlineData("")]
    [InlineData("it's")]
    [InlineData("$HOME `id` $(id) \"q\" \\ * ? [a] ; | & > < \n\t end")]
    [InlineData("'''")]
    public void AQuotedWordReadsBackUnchangedThroughARealShell(string word)
    {
        // /bin/sh is the shell nodes run these words through; printf prints the word as the shell parsed it.
        var r = ProcessRunner.Run(new ProcessSpec("/bin/sh", ["-c", "printf %s " + Sh.Quote(word)]));
        Assert.Equal((0, word), (r.ExitCode, r.StdOut));
    }

    [Fact]
    public void SafeWordsStayUnquotedSoNodeCommandsStayReadable() =>
        Assert.Equal("mv -f -- /a/b.part /a/b", $"mv -f -- {Sh.Quote("/a/b.part")} {Sh.Quote("/a/b")}");
}
