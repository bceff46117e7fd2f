using System.Text.Json;
using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Bundle;

/// <summary>Bundles made by `vzbuild bundle` run under the real runc and print what the original program prints.</summary>
public class BundleRunTests
{
    /// <summary>A spec with the given command and paths, as `vzbuild trace` would write it.</summary>
    internal static string WriteSpec(ScratchDir dir, string name, IReadOnlyList<string> command, IEnumerable<string> paths) =>
        dir.Write(name, $"# vz-command: {JsonSerializer.Serialize(command)}\n" + string.Concat(paths.Select(p => p + "\n")));

    [Fact]
    public void BusyboxBundleRunsUnderRuncAndPrintsWhatTheHostPrints()
    {
        using var dir = new ScratchDir("bundle");
        var host = Tools.Checked("busybox", "echo", "hi from busybox");
        var spec = WriteSpec(dir, "bb.spec", ["/bin/busybox", "echo", "hi from busybox"], ["/bin/busybox"]);

        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["bb.bundle"]);
        var run = Runc.Run(dir["bb.bundle"], dir.Id);

        Assert.True(run.Ok, run.StdErr);
        Assert.Equal(host.StdOut, run.StdOut);
    }

    /// <summary>
    /// Compiles a small C program linked against libc and libm, and writes a spec listing it
    /// with the libraries ldd names (the closure is another part's work; here it is listed by
    /// hand). Returns the spec and what the program prints on the host.
    /// </summary>
    internal static (string Spec, string HostOutput) CompileHello(ScratchDir dir)
    {
        var source = dir.Write("hello.c", """
            #include <stdio.h>
            #include <math.h>
            int main(int argc, char **argv) {
                printf("hello %s, sqrt(argc)=%.4f\n", argc > 1 ? argv[1] : "nobody", sqrt((double)argc));
                return 0;
            }
            """);
        var exe = dir["hello"];
        Tools.Checked("gcc", "-O1", "-o", exe, source, "-lm");
        var paths = LddPaths(exe).Prepend(exe).ToArray();
        Assert.Contains(paths, p => p.Contains("libm.so"));
        return (WriteSpec(dir, "hello.spec", [exe, "vz"], paths), Tools.Checked(exe, "vz").StdOut);
    }

    [Fact]
    public void DynamicallyLinkedCProgramBundleRunsUnderRunc()
    {
        using var dir = new ScratchDir("bundle");
        var (spec, host) = CompileHello(dir);

        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["hello.bundle"]);
        var run = Runc.Run(dir["hello.bundle"], dir.Id);

        Assert.True(run.Ok, run.StdErr);
        Assert.Equal(host, run.StdOut);
        Assert.Equal("hello vz, sqrt(argc)=1.4142\n", run.StdOut);
    }

    /// <summary>Absolute library paths from ldd's output ("libm.so.6 => /lib/... (0x...)", "/lib64/ld-linux... (0x...)").</summary>
    internal static IEnumerable<string> LddPaths(string exe) =>
        Tools.Checked("ldd", exe).StdOut.Split('\n')
            .Select(l => l.Contains("=>") ? l[(l.IndexOf("=>") + 2)..] : l)
            .Select(l => l.Trim().Split(' ')[0])
            .Where(p => p.StartsWith('/'));

    [Fact]
    public void BundleConfigAsksForNoRlimitAboveTheHostsAndNoTerminal()
    {
        using var dir = new ScratchDir("bundle");
        var spec = WriteSpec(dir, "bb.spec", ["/bin/busybox", "sh", "-c", "ulimit -n"], ["/bin/busybox"]);
        Vzbuild.Checked("bundle", spec, "--no-closure", "-o", dir["b"]);
        var config = JsonDocument.Parse(File.ReadAllText(dir["b/config.json"])).RootElement;
        Assert.False(config.GetProperty("process").GetProperty("terminal").GetBoolean());
        var run = Runc.Run(dir["b"], dir.Id);
        Assert.True(run.Ok, run.StdErr);
        Assert.Equal("1024", run.StdOut.Trim());
    }
}
