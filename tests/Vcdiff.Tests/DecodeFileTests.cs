using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace Vz.Vcdiff.Tests;

/// <summary>
/// DecodeFile as vzpatch uses it, on the hardening issue's reproductions: nothing it did not
/// create is ever removed or half-written, a pipe source works, and every failure is a VZ39xx.
/// </summary>
public sealed partial class DecodeFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vz-vcdiff-files-").FullName;
    private static readonly CorpusEntry Good = Corpus.Get("xd3-bin-none9W64k.vcdiff");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string[] Entries() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order().ToArray()!;

    /// <summary>A delta whose first windows decode and whose last one is cut: output was written before the failure.</summary>
    private string FailsLate()
    {
        var bytes = File.ReadAllBytes(Good.DeltaPath);
        return Write("late.vcdiff", bytes[..(bytes.Length - 5)]);
    }

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(PathOf(name), bytes);
        return PathOf(name);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    [Fact]
    public void SectionOfTwoGigabytesIsATypedErrorAndLeavesNoOutput()
    {
        var delta = Corpus.Get("bomb-data-2GiB.vcdiff").DeltaPath;
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile("/dev/null", delta, PathOf("out")));
        Assert.Equal(VcdiffErrors.Corrupt, e.Error);
        Assert.Contains("2147483648", e.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void FailedDecodeLeavesAnExistingOutputAsItWas()
    {
        var output = Write("out", "keep me"u8.ToArray());
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var delta = FailsLate();
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile(Good.SourcePath, delta, output));
        Assert.Equal(VcdiffErrors.Truncated, e.Error);
        Assert.Equal("keep me", File.ReadAllText(output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(output));
        Assert.Equal(["late.vcdiff", "out"], Entries());
    }

    [Fact]
    public void SuccessfulDecodeReplacesAnExistingOutputKeepingItsPermissions()
    {
        var output = Write("out", "old"u8.ToArray());
        File.SetUnixFileMode(output, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        VcdiffDecoder.DecodeFile(Good.SourcePath, Good.DeltaPath, output);
        Assert.Equal(Good.Sha256, Sha256(File.ReadAllBytes(output)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, File.GetUnixFileMode(output));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public async Task FailedDecodeIntoAFifoLeavesTheFifo()
    {
        // The issue's `vzpatch src bad.vcd /dev/null` unlinked /dev/null; a FIFO is a non-regular
        // output a test can make without root and without risking the machine's /dev/null.
        var fifo = PathOf("fifo");
        Assert.Equal(0, MkFifo(fifo, 0x180));
        var reader = Task.Run(() => File.ReadAllBytes(fifo));
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile(Good.SourcePath, FailsLate(), fifo));
        Assert.Equal(VcdiffErrors.Truncated, e.Error);
        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(FileKind.Kind.Other, FileKind.Of(fifo));
        Assert.Equal(["fifo", "late.vcdiff"], Entries());
    }

    [Fact]
    public async Task SuccessfulDecodeIntoAFifoStreamsTheTarget()
    {
        var fifo = PathOf("fifo");
        Assert.Equal(0, MkFifo(fifo, 0x180));
        var reader = Task.Run(() => File.ReadAllBytes(fifo));
        VcdiffDecoder.DecodeFile(Good.SourcePath, Good.DeltaPath, fifo);
        Assert.Equal(Good.Sha256, Sha256(await reader.WaitAsync(TimeSpan.FromSeconds(30))));
        Assert.Equal(FileKind.Kind.Other, FileKind.Of(fifo));
    }

    [Fact]
    public void DecodeIntoDevNullWritesThroughAndLeavesTheDevice()
    {
        var result = VcdiffDecoder.DecodeFile(Good.SourcePath, Good.DeltaPath, "/dev/null");
        Assert.Equal(Good.Length, result.TargetLength);
        Assert.Equal(FileKind.Kind.Other, FileKind.Of("/dev/null"));
    }

    [Fact]
    public async Task SourceThatCannotSeekIsCopiedAsideAndDecodes()
    {
        // `vzpatch <(cat src) delta out` crashed with NotSupportedException: <(...) is /dev/fd/N, a pipe.
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.None);
        var sourcePath = $"/proc/self/fd/{pipe.GetClientHandleAsString()}";
        var writer = Task.Run(() =>
        {
            using (pipe)
                pipe.Write(File.ReadAllBytes(Good.SourcePath!));
        });
        var output = PathOf("out");
        VcdiffDecoder.DecodeFile(sourcePath, Good.DeltaPath, output);
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Good.Sha256, Sha256(File.ReadAllBytes(output)));
        Assert.Equal(["out"], Entries());
    }

    [Fact]
    public void SourceStreamThatCannotSeekIsRefusedByTheStreamApi()
    {
        using var delta = File.OpenRead(Good.DeltaPath);
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.Decode(new ForwardOnlyStream(File.ReadAllBytes(Good.SourcePath!)), delta, new MemoryStream()));
        Assert.Equal(VcdiffErrors.Unsupported, e.Error);
        Assert.Contains("seek", e.Message);
    }

    [Fact]
    public void MissingOrWrongKindOfFilesAreIoErrorsNamingThem()
    {
        var missing = PathOf("missing");
        foreach (var (source, delta, output, named) in new[]
        {
            (missing, Good.DeltaPath, PathOf("out"), missing),
            (Good.SourcePath!, missing, PathOf("out"), missing),
            (Good.SourcePath!, Good.DeltaPath, PathOf("no/such/dir/out"), PathOf("no/such/dir/out")),
            (Good.SourcePath!, Good.DeltaPath, _dir, _dir),
            (_dir, Good.DeltaPath, PathOf("out"), _dir),
        })
        {
            var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile(source, delta, output));
            Assert.Equal(VcdiffErrors.Io, e.Error);
            Assert.Equal("VZ3908", e.Code);
            Assert.Contains(named, e.Message);
            Assert.Empty(Entries());
        }
    }

    [Fact]
    public void OutputThroughASymlinkReplacesTheTargetAndKeepsTheLink()
    {
        var real = Write("real", "old"u8.ToArray());
        var link = PathOf("link");
        File.CreateSymbolicLink(link, real);
        VcdiffDecoder.DecodeFile(Good.SourcePath, Good.DeltaPath, link);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        Assert.Equal(Good.Sha256, Sha256(File.ReadAllBytes(real)));
    }

    [Fact]
    public void OutputMayBeTheSourceItself()
    {
        var file = Write("archive", File.ReadAllBytes(Good.SourcePath!));
        VcdiffDecoder.DecodeFile(file, Good.DeltaPath, file);
        Assert.Equal(Good.Sha256, Sha256(File.ReadAllBytes(file)));
        Assert.Equal(["archive"], Entries());
    }

    [Theory]
    [InlineData("new.gz/G", "the target was compressed with gzip")]
    [InlineData("new.gz/G9/old.gz/G9", "the target was compressed with gzip and the source with gzip")]
    [InlineData("new/B/old/", "the target was compressed with bzip2")]
    [InlineData("new//old.xz/Y", "the source was compressed with xz")]
    [InlineData("x/Q", "the target was compressed with \"Q\"")]
    public void AppHeaderNamingAnExternalCompressorIsRefused(string appHeader, string says)
    {
        var refusal = XdeltaAppHeader.ExternalCompression(System.Text.Encoding.ASCII.GetBytes(appHeader));
        Assert.NotNull(refusal);
        Assert.Contains(says, refusal);
        Assert.Contains("-D", refusal);
    }

    [Theory]
    [InlineData("new/")]
    [InlineData("new//old/")]
    [InlineData("")]
    [InlineData("a comment without slashes")]
    [InlineData("a/b/c")]
    [InlineData("a/\0G")]
    public void AppHeaderWithoutACompressorIsAccepted(string appHeader) =>
        Assert.Null(XdeltaAppHeader.ExternalCompression(System.Text.Encoding.Latin1.GetBytes(appHeader)));

    [Fact]
    public void GzipDeltaFromTheIssueIsRefusedBeforeAnyOutput()
    {
        var entry = Corpus.Get("bomb-gzip-target-nosource.vcdiff");
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile(null, entry.DeltaPath, PathOf("out")));
        Assert.Equal(VcdiffErrors.Unsupported, e.Error);
        Assert.Contains("\"new.gz/G\"", e.Message);
        Assert.Contains("gzip", e.Message);
        Assert.Empty(Entries());
    }

    [Fact]
    public void DictionaryOfFourGigabytesIsRefusedNamingTheLimit()
    {
        var entry = Corpus.Get("bomb-lzma-dict40.vcdiff");
        var e = Assert.Throws<VzException>(() => VcdiffDecoder.DecodeFile(null, entry.DeltaPath, PathOf("out")));
        Assert.Equal(VcdiffErrors.OverLimit, e.Error);
        Assert.Contains("4294967295", e.Message);
        Assert.Contains($"limit of {8 * VcdiffOptions.MiB}", e.Message);
        Assert.Contains("window 0", e.Message);
        Assert.Empty(Entries());
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
