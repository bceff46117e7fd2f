using System.Text;

namespace Vz.Core.Tests.Input;

public class RawTextTests
{
    [Fact]
    public void EveryByteSequenceRoundTripsThroughText()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 24)];
            random.NextBytes(bytes);
            Assert.Equal(bytes, RawText.Encode(RawText.Decode(bytes)));
        }
        byte[] all = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        Assert.Equal(all, RawText.Encode(RawText.Decode(all)));
    }

    [Fact]
    public void Utf8TextIsItselfAndOtherBytesAreEscaped()
    {
        Assert.Equal("é\U0001F600", RawText.Decode(Encoding.UTF8.GetBytes("é\U0001F600")));
        Assert.Equal(Encoding.UTF8.GetBytes("é"), RawText.Encode("é"));
        var text = RawText.Decode([(byte)'A', 0xFF, (byte)'B']);
        Assert.Equal("A\uDCFFB", text);
        Assert.False(RawText.IsUtf8(text));
        Assert.True(RawText.IsUtf8("é\U0001F600"));
    }

    [Theory]
    [InlineData("plain text: /usr/bin/é \U0001F600", "plain text: /usr/bin/é \U0001F600")]
    [InlineData("\u001b[31mred\u001b[0m", "\\u{001B}[31mred\\u{001B}[0m")]
    [InlineData("\u001b]0;title\u0007", "\\u{001B}]0;title\\u{0007}")]
    [InlineData("a\nb\tc\rd", "a\\nb\\tc\\rd")]
    [InlineData("\u009b2J", "\\u{009B}2J")]
    [InlineData("safe\u202Eevil", "safe\\u{202E}evil")]
    [InlineData("bad \uFFFD stays", "bad \uFFFD stays")]
    public void PrintableEscapesWhatCouldDriveOrFoolATerminal(string text, string shown) =>
        Assert.Equal(shown, RawText.Printable(text));

    [Fact]
    public void PrintableLinesKeepsTheLineBreaksOfATable() =>
        Assert.Equal("node  ok\nweb\\u{001B}  failed\n", RawText.PrintableLines("node  ok\nweb\u001b  failed\n"));

    [Fact]
    public void PrintableShowsBytesThatAreNotUtf8AsHexAndLoneSurrogatesAsCodePoints()
    {
        // Lone surrogates do not survive xunit's theory data, so these are here.
        Assert.Equal("A\\xffB", RawText.Printable(RawText.Decode([(byte)'A', 0xFF, (byte)'B'])));
        Assert.Equal("lone \\u{D800} surrogate", RawText.Printable("lone \uD800 surrogate"));
    }
}
