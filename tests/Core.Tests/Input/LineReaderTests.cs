namespace Vz.Core.Tests.Input;

public class LineReaderTests
{
    static readonly ErrorCode TooLong = new("VZ0996", "test: line too long");

    static List<string> All(string text, int max = 100)
    {
        var r = new LineReader(new StringReader(text), max, n => new VzException(TooLong, $"line {n}"));
        var lines = new List<string>();
        while (r.ReadLine() is { } l)
            lines.Add(l);
        return lines;
    }

    static List<string> Expected(string text)
    {
        var r = new StringReader(text);
        var lines = new List<string>();
        while (r.ReadLine() is { } l)
            lines.Add(l);
        return lines;
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a\n")]
    [InlineData("a\nb")]
    [InlineData("a\r\nb\r\n")]
    [InlineData("a\rb\r")]
    [InlineData("\n\n\r\n\r")]
    [InlineData("x\r\r\ny")]
    public void LinesAreWhatTextReaderReadLineGives(string text) => Assert.Equal(Expected(text), All(text));

    [Fact]
    public void LineBreaksSplitAcrossBufferBoundariesAreOneBreak()
    {
        var text = new string('a', 8191) + "\r\n" + new string('b', 9000) + "\n";
        Assert.Equal(Expected(text), All(text, 10_000));
    }

    [Fact]
    public void ALineOverTheBoundThrowsNamingItsNumber()
    {
        var e = Assert.Throws<VzException>(() => All("ok\nfine\n" + new string('x', 101) + "\n"));
        Assert.Equal(TooLong, e.Error);
        Assert.Equal("line 3", e.Message);
        Assert.Equal(["ok", new string('x', 100)], All("ok\n" + new string('x', 100)));
    }

    /// <summary>A reader that never ends and never breaks a line, like /dev/zero read as text.</summary>
    sealed class Endless : TextReader
    {
        public override int Read(char[] buffer, int index, int count)
        {
            Array.Fill(buffer, '\0', index, count);
            return count;
        }
    }

    [Fact]
    public void AnEndlessStreamWithoutLineBreaksStopsAtTheBound()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var r = new LineReader(new Endless(), 1 << 20, n => new VzException(TooLong, $"line {n}"));
        Assert.Throws<VzException>(() => r.ReadLine());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32 << 20);
    }
}
