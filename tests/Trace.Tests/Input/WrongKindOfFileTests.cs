using Vz.Trace.Closure;
using Vz.Trace.Spec;
using Vz.Trace.Strace;
using Vz.Trace.Tests.Closure;
using Vz.Tests;

namespace Vz.Trace.Tests.Input;

/// <summary>A directory, a device or a file that is not what it claims: one error naming it, never unbounded reading.</summary>
public class WrongKindOfFileTests
{
    [Fact]
    public void ASpecThatIsADirectoryIsVZ1104NamingIt()
    {
        using var dir = new TempDir();
        foreach (var read in new Action[] { () => SpecFormat.Load(dir.Path), () => SpecChecker.CheckFile(dir.Path, "/") })
        {
            var e = Assert.Throws<VzException>(read);
            Assert.Equal(TraceErrors.SpecUnreadable, e.Error);
            Assert.Contains(dir.Path, e.Message);
        }
    }

    [Fact]
    public void ASpecThatIsAnEndlessDeviceIsRefusedAtTheLimitNotReadForEver()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<VzException>(() => SpecChecker.CheckFile("/dev/zero", "/"));
        Assert.Equal(TraceErrors.SpecUnreadable, e.Error);
        Assert.Contains("32 MiB", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256L << 20, "read far past the limit");
    }

    [Fact]
    public void AMissingSpecIsStillVZ1101()
    {
        Assert.Equal(TraceErrors.SpecNotFound, Assert.Throws<VzException>(() => SpecFormat.Load("/nonexistent/vz.spec")).Error);
    }

    [Fact]
    public void ASpecLineLongerThanTheBoundIsAMalformedLineNotAnUnboundedString()
    {
        var text = "/ok\n" + new string('/', SpecFormat.MaxLineChars + 1);
        var e = Assert.Throws<VzException>(() => SpecFormat.Parse(new StringReader(text), "big.spec"));
        Assert.Equal(TraceErrors.MalformedSpec, e.Error);
        Assert.StartsWith("big.spec:2:", e.Message);
    }

    [Fact]
    public void ARecordedCommandWithANullArgumentIsMalformed()
    {
        var e = Assert.Throws<VzException>(() => SpecFormat.Parse(new StringReader("# vz-command: [\"a\",null]\n/a\n"), "s"));
        Assert.Equal(TraceErrors.MalformedSpec, e.Error);
        Assert.Contains("null", e.Message);
    }

    [Fact]
    public void SavingASpecOverADirectoryFailsAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["out"]);
        var e = Assert.Throws<VzException>(() => SpecFormat.Save(Vz.Trace.Spec.Spec.FromPaths(["/a"]), dir["out"]));
        Assert.Equal(TraceErrors.SpecNotWritable, e.Error);
        Assert.Equal(["out"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void SavingASpecIntoADirectoryThatDoesNotExistNamesTheDirectory()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<VzException>(() => SpecFormat.Save(Vz.Trace.Spec.Spec.FromPaths(["/a"]), dir["no/such/out.spec"]));
        Assert.Equal(TraceErrors.SpecNotWritable, e.Error);
        Assert.Contains($"directory {dir["no/such"]} does not exist", e.Message);
    }

    static VzException LddFails(TempRoot root, string binary) =>
        Assert.Throws<VzException>(() => LddSpec.Build([binary], new ClosureOptions { Root = root.Path }));

    [Fact]
    public void LddOfADirectoryATextFileOrADeviceIsVZ1203()
    {
        using var root = new TempRoot().Dir("/tmp").File("/notes.txt", "hello", executable: true);
        Assert.Equal(TraceErrors.NotAProgram, LddFails(root, "/tmp").Error);
        Assert.Contains("directory", LddFails(root, "/tmp").Message);
        var text = LddFails(root, "/notes.txt");
        Assert.Equal(TraceErrors.NotAProgram, text.Error);
        Assert.Contains("neither an ELF file nor a #! script", text.Message);
        var device = Assert.Throws<VzException>(() => LddSpec.Build(["/dev/null"], new ClosureOptions { Root = "/" }));
        Assert.Equal(TraceErrors.NotAProgram, device.Error);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(700)]
    [InlineData(3000)]
    public void LddOfACutShortElfFileIsVZ1203(int keep)
    {
        var elf = File.ReadAllBytes(Fixtures.Elf("prog/hello-runpath"));
        using var root = new TempRoot();
        File.WriteAllBytes(root.Host("/cut"), elf[..Math.Min(keep, elf.Length - 1)]);
        var e = LddFails(root, "/cut");
        Assert.Equal(TraceErrors.NotAProgram, e.Error);
        Assert.Contains("/cut", e.Message);
    }

    [Fact]
    public void LddOfAWholeElfFileOrAScriptStillWorks()
    {
        using var root = new TempRoot().Copy(Fixtures.Elf("prog/hello-runpath"), "/app").File("/run.sh", "#!/app\n", executable: true);
        Assert.Contains("/app", LddSpec.Build(["/run.sh"], new ClosureOptions { Root = root.Path, IncludeNss = false }).Spec.Paths);
    }

    [Fact]
    public void ACommandArgumentThatIsNotUtf8IsNamedInAWarning()
    {
        var odd = RawText.Decode([(byte)'A', 0xFF]);
        var warnings = TraceSpec.CommandWarnings(new TracedCommand(["/bin/echo", "ok", odd], "/", null)).ToList();
        Assert.Equal("argument 2 of the command (A\\xff) is not UTF-8: the spec records it with U+FFFD in place of those bytes, and so would a bundle made from it",
            Assert.Single(warnings));
    }
}
