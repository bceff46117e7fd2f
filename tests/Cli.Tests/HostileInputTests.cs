namespace Vz.Cli.Tests;

/// <summary>What the command line itself refuses, and how errors quoting garbage reach the terminal.</summary>
public class HostileInputTests
{
    static (int Exit, string Err) Run(params string[] args)
    {
        var err = new StringWriter();
        var exit = Program.Run(args, new StringWriter(), err);
        return (exit, err.ToString());
    }

    [Theory]
    [InlineData("--parallel", "0", "--parallel must be from 1 to 256, got 0")]
    [InlineData("--parallel", "-1", "--parallel must be from 1 to 256, got -1")]
    [InlineData("--retries", "-1", "--retries must be from 0 to 20, got -1")]
    [InlineData("--retries", "1000000", "--retries must be from 0 to 20, got 1000000")]
    public void PushOptionsOutOfRangeAreUsageErrorsBeforeAnythingRuns(string option, string value, string message)
    {
        // The archive does not exist: a run would say so; the parse refuses first.
        var (exit, err) = Run("push", "/nonexistent/vz-image.tar", "--to", "node-a", option, value);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("VZ3020", err);
    }

    [Fact]
    public void PushOptionsInRangeParse()
    {
        var parse = Program.BuildRoot().Parse(["push", "x.tar", "--to", "a", "--parallel", "256", "--retries", "0"]);
        Assert.Empty(parse.Errors);
    }

    [Fact]
    public async Task AnErrorQuotingControlCharactersAndRawBytesPrintsThemEscaped()
    {
        var stderr = new StringWriter();
        var garbage = "spec line \u001b]0;owned\u0007 and \u001b[2J" + RawText.Decode([0xFF]) + "\nsecond line";
        await CommandAction.RunAsync(() => throw new VzException(CoreErrors.CannotStart, garbage, "hint \u001b[31m"), stderr);
        var text = stderr.ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Equal(2, text.Count(c => c == '\n'));
        Assert.Contains("\\u{001B}]0;owned\\u{0007}", text);
        Assert.Contains("\\xff\\nsecond line", text);
    }

    [Fact]
    public void AUsageErrorQuotingAControlCharacterPrintsItEscaped()
    {
        var (exit, err) = Run("no-such-command\u001b[31m");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.DoesNotContain('\u001b', err);
        Assert.Contains("\\u{001B}", err);
    }
}
