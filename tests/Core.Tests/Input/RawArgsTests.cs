using System.Text;

namespace Vz.Core.Tests.Input;

public class RawArgsTests
{
    static byte[] CmdLine(params byte[][] words) => [.. words.SelectMany(w => w.Append((byte)0))];

    [Fact]
    public void ArgumentsGetTheirBytesBackFromTheCommandLineTail()
    {
        byte[] odd = [(byte)'A', 0xFF, (byte)'B'];
        var cmdline = CmdLine("dotnet"u8.ToArray(), "vzbuild.dll"u8.ToArray(), "trace"u8.ToArray(), "--"u8.ToArray(), "/bin/echo"u8.ToArray(), odd, []);
        var args = new[] { "trace", "--", "/bin/echo", Encoding.UTF8.GetString(odd), "" };

        var raw = RawArgs.Recover(args, cmdline);

        Assert.Equal(["trace", "--", "/bin/echo", "A\uDCFFB", ""], raw);
        Assert.Equal(odd, RawText.Encode(raw[3]));
    }

    [Fact]
    public void ACommandLineThatDoesNotMatchLeavesTheArgumentsAsTheyAre()
    {
        var args = new[] { "trace", "x" };
        Assert.Same(args, RawArgs.Recover(args, CmdLine("vzbuild"u8.ToArray(), "trace"u8.ToArray(), "y"u8.ToArray())));
        Assert.Same(args, RawArgs.Recover(args, CmdLine("x"u8.ToArray())));
        Assert.Same(args, RawArgs.Recover(args, null));
    }
}
