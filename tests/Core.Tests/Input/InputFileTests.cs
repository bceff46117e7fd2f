using Vz.Tests;

namespace Vz.Core.Tests.Input;

public class InputFileTests
{
    static readonly ErrorCode Bad = new("VZ0998", "test: unreadable");
    static readonly ErrorCode Missing = new("VZ0997", "test: missing");

    [Fact]
    public void ADirectoryIsRefusedWithTheCallersCodeNamingIt()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<VzException>(() => InputFile.ReadAllBytes(dir.Path, 1024, Bad, "spec"));
        Assert.Equal(Bad, e.Error);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("directory", e.Message);
    }

    [Fact]
    public void AnEndlessDeviceIsReadNoFurtherThanTheLimitAndRefused()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<VzException>(() => InputFile.ReadAllBytes("/dev/zero", 1 << 20, Bad, "spec"));
        Assert.Equal(Bad, e.Error);
        Assert.Contains("/dev/zero", e.Message);
        Assert.Contains("1 MiB", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "read far past the limit");
    }

    [Fact]
    public void AFileOfExactlyTheLimitIsReadAndOneByteMoreIsRefused()
    {
        using var dir = new TempDir();
        var exact = dir.Write("exact", new byte[4096]);
        var over = dir.Write("over", new byte[4097]);
        Assert.Equal(4096, InputFile.ReadAllBytes(exact, 4096, Bad, "spec").Length);
        Assert.Equal(Bad, Assert.Throws<VzException>(() => InputFile.ReadAllBytes(over, 4096, Bad, "spec")).Error);
    }

    [Fact]
    public void AMissingFileHasTheMissingCodeWhenGivenAndDevNullIsEmpty()
    {
        Assert.Equal(Missing, Assert.Throws<VzException>(() => InputFile.ReadAllBytes("/nonexistent/vz/spec", 10, Bad, "spec", Missing)).Error);
        Assert.Equal(Bad, Assert.Throws<VzException>(() => InputFile.ReadAllBytes("/nonexistent/vz/spec", 10, Bad, "spec")).Error);
        Assert.Empty(InputFile.ReadAllBytes("/dev/null", 10, Bad, "ssh config"));
    }

    [Fact]
    public void TextDropsAByteOrderMark()
    {
        using var dir = new TempDir();
        var f = dir.Write("t", [0xEF, 0xBB, 0xBF, (byte)'a', (byte)'\n']);
        Assert.Equal("a\n", InputFile.ReadAllText(f, 100, Bad, "spec"));
    }

    [Theory]
    [InlineData(100L, "100 bytes")]
    [InlineData(4096L, "4 KiB")]
    [InlineData(32L << 20, "32 MiB")]
    public void LimitsReadAsSizes(long bytes, string text) => Assert.Equal(text, InputFile.Size(bytes));
}
