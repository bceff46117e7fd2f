using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class ClosureResolverTests
{
    const string Multiarch = "/usr/lib/x86_64-linux-gnu";

    static ClosureResult Close(TempRoot root, params string[] paths) =>
        ClosureResolver.Resolve(paths, new ClosureOptions { Root = root.Path, IncludeNss = false });

    /// <summary>A merged-/usr root holding the host's libc and loader (the loader reached by an absolute link, as on Debian).</summary>
    static TempRoot LibcRoot()
    {
        var root = new TempRoot().MergedUsr()
            .Copy("/lib/x86_64-linux-gnu/libc.so.6", $"{Multiarch}/libc.so.6")
            .Copy("/lib64/ld-linux-x86-64.so.2", $"{Multiarch}/ld-linux-x86-64.so.2")
            .Link("/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        return root;
    }

    /// <summary>The committed fixtures laid out as /opt/app/{prog,lib}, so $ORIGIN/../lib is /opt/app/lib.</summary>
    static TempRoot AppRoot(string program)
    {
        var root = LibcRoot().Copy(Fixtures.Elf($"prog/{program}"), $"/opt/app/prog/{program}");
        foreach (var lib in new[] { "libgreet.so", "libinner.so", "libouter.so" })
            root.Copy(Fixtures.Elf($"lib/{lib}"), $"/opt/app/lib/{lib}");
        return root;
    }

    [Fact]
    public void ExecutableRpathFindsTheLibrariesOfItsLibraries()
    {
        using var root = AppRoot("hello-rpath");
        var r = Close(root, "/opt/app/prog/hello-rpath");
        Assert.Empty(r.Warnings);
        Assert.False(r.NeedsLoaderCache);
        Assert.Equal(
            [
                "/lib", "/lib64",
                "/opt/app/lib/libgreet.so", "/opt/app/lib/libinner.so", "/opt/app/lib/libouter.so",
                "/opt/app/prog/hello-rpath",
                "/usr/lib", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib64", "/usr/lib64/ld-linux-x86-64.so.2",
            ],
            r.Paths);
    }

    [Fact]
    public void PythonCacheFileBringsItsSourceBecausePythonIgnoresACacheWithoutOne()
    {
        using var root = new TempRoot()
            .File("/usr/lib/python3.11/os.py").File("/usr/lib/python3.11/__pycache__/os.cpython-311.pyc")
            .File("/usr/lib/python3.11/__pycache__/gone.cpython-311.opt-1.pyc");
        var r = Close(root, "/usr/lib/python3.11/__pycache__/os.cpython-311.pyc", "/usr/lib/python3.11/__pycache__/gone.cpython-311.opt-1.pyc");
        Assert.Contains("/usr/lib/python3.11/os.py", r.Paths);
        Assert.DoesNotContain("/usr/lib/python3.11/gone.py", r.Paths);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void AnyStdlibPathBringsPythonsPrefixLandmarkOsPy()
    {
        using var root = new TempRoot().File("/usr/lib/python3.11/os.py").File("/usr/lib/python3.11/json/__init__.py");
        var r = Close(root, "/usr/lib/python3.11/json/__init__.py");
        Assert.Contains("/usr/lib/python3.11/os.py", r.Paths);
    }

    [Fact]
    public void ExecutableRunpathDoesNotReachTheLibrariesOfItsLibraries()
    {
        // The real ld.so fails the same way: "libinner.so: cannot open shared object file".
        using var root = AppRoot("hello-runpath");
        var r = Close(root, "/opt/app/prog/hello-runpath");
        Assert.Contains("/opt/app/lib/libouter.so", r.Paths);
        Assert.DoesNotContain("/opt/app/lib/libinner.so", r.Paths);
        Assert.Equal(["/opt/app/lib/libouter.so: library libinner.so not found"], r.Warnings);
    }

    [Fact]
    public void LibraryOfAnotherMachineIsSkippedAndTheSearchGoesOn()
    {
        using var root = AppRoot("hello-runpath").Copy(Fixtures.Elf("lib/libinner.so"), $"{Multiarch}/libinner.so")
            .Copy(Fixtures.Elf("lib/libgreet.so"), $"{Multiarch}/libgreet.so");
        // Make the $ORIGIN/../lib copy an AArch64 library (e_machine at offset 18 = EM_AARCH64).
        using (var f = File.OpenWrite(root.Host("/opt/app/lib/libgreet.so")))
        {
            f.Seek(18, SeekOrigin.Begin);
            f.Write([183, 0]);
        }
        var r = Close(root, "/opt/app/prog/hello-runpath");
        Assert.Contains($"{Multiarch}/libgreet.so", r.Paths);
        Assert.DoesNotContain("/opt/app/lib/libgreet.so", r.Paths);
        Assert.Contains($"{Multiarch}/libinner.so", r.Paths);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void GlibcHwcapsBuildsOfALibraryAreKeptBesideIt()
    {
        using var root = AppRoot("hello-runpath")
            .Copy(Fixtures.Elf("lib/libinner.so"), $"{Multiarch}/libinner.so")
            .Copy(Fixtures.Elf("lib/libinner.so"), $"{Multiarch}/glibc-hwcaps/x86-64-v3/libinner.so")
            .Copy(Fixtures.Elf("lib/libinner.so"), $"{Multiarch}/glibc-hwcaps/x86-64-v4/libinner.so")
            .File($"{Multiarch}/glibc-hwcaps/x86-64-v2/libother.so");
        var r = Close(root, "/opt/app/prog/hello-runpath");
        Assert.Empty(r.Warnings);
        Assert.Equal(
            [$"{Multiarch}/glibc-hwcaps/x86-64-v3/libinner.so", $"{Multiarch}/glibc-hwcaps/x86-64-v4/libinner.so", $"{Multiarch}/libinner.so"],
            r.Paths.Where(p => p.Contains("libinner")));
    }

    [Fact]
    public void LdSoConfIncludeGlobsAddSearchDirectories()
    {
        using var root = LibcRoot()
            .Copy(Fixtures.Elf("prog/hello-runpath"), "/usr/bin/hello")
            .Copy(Fixtures.Elf("lib/libgreet.so"), "/opt/greet/libgreet.so")
            .Copy(Fixtures.Elf("lib/libouter.so"), "/opt/outer/libouter.so")
            .Copy(Fixtures.Elf("lib/libinner.so"), "/opt/outer/libinner.so")
            .File("/etc/ld.so.conf", "# comment\ninclude /etc/ld.so.conf.d/*.conf\n")
            .File("/etc/ld.so.conf.d/a.conf", "/opt/greet\n")
            .File("/etc/ld.so.conf.d/b.conf", "/opt/outer  # trailing comment\n")
            .File("/etc/ld.so.conf.d/ignored.txt", "/opt/nothing\n");
        var r = Close(root, "/usr/bin/hello");
        Assert.Empty(r.Warnings);
        Assert.True(r.NeedsLoaderCache);
        Assert.Contains("/opt/greet/libgreet.so", r.Paths);
        Assert.Contains("/opt/outer/libinner.so", r.Paths);
    }

    [Fact]
    public void ShebangInterpreterIsFollowedThroughMergedUsrAndItsOwnLinks()
    {
        using var root = new TempRoot().MergedUsr()
            .File("/usr/bin/dash", "\x7fnot really elf", executable: true)
            .Link("/usr/bin/sh", "dash")
            .File("/opt/run.sh", "#!/bin/sh -e\necho hi\n", executable: true);
        var r = Close(root, "/opt/run.sh");
        Assert.Equal(["/bin", "/opt/run.sh", "/usr/bin", "/usr/bin/dash", "/usr/bin/sh"], r.Paths);
        Assert.Empty(r.Warnings);
    }

    [Theory]
    [InlineData("#!/usr/bin/env python3\n", "/usr/bin/python3")]
    [InlineData("#!/usr/bin/env -S perl -w\n", "/usr/local/bin/perl")]
    public void EnvShebangBringsEnvAndTheProgramFromTheSearchPath(string shebang, string program)
    {
        using var root = new TempRoot()
            .File("/usr/bin/env", "env", executable: true)
            .File("/usr/bin/python3", "py", executable: true)
            .File("/usr/local/bin/perl", "pl", executable: true)
            .File("/usr/bin/perl", "not executable")
            .File("/srv/tool", shebang + "body\n", executable: true);
        var r = Close(root, "/srv/tool");
        Assert.Equal(new[] { "/srv/tool", "/usr/bin/env", program }.Order(StringComparer.Ordinal), r.Paths);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void ScriptWhoseInterpreterIsAScriptBringsBoth()
    {
        using var root = new TempRoot()
            .File("/usr/bin/real", "binary", executable: true)
            .File("/usr/bin/wrapper", "#!/usr/bin/real\n", executable: true)
            .File("/srv/job", "#!/usr/bin/wrapper --flag\n", executable: true);
        Assert.Equal(["/srv/job", "/usr/bin/real", "/usr/bin/wrapper"], Close(root, "/srv/job").Paths);
    }

    [Fact]
    public void MissingFilesLoopsAndMissingEnvProgramsAreWarnedAbout()
    {
        using var root = new TempRoot().Link("/x", "y").Link("/y", "x")
            .File("/usr/bin/env", "env", executable: true)
            .File("/srv/tool", "#!/usr/bin/env ruby\n", executable: true);
        var r = Close(root, "/x", "/gone", "/srv/tool");
        Assert.Equal(["/srv/tool", "/usr/bin/env", "/x", "/y"], r.Paths);
        Assert.Equal(3, r.Warnings.Count);
        Assert.Contains(r.Warnings, w => w.StartsWith("/x: too many levels of symbolic links"));
        Assert.Contains("/gone: missing", r.Warnings);
        Assert.Contains(r.Warnings, w => w.StartsWith("/srv/tool: interpreter ruby not found"));
    }

    [Fact]
    public void PseudoFilesystemContentsAreDroppedAndListedMountPointsKept()
    {
        using var root = new TempRoot().Dir("/proc/1").File("/tmp/scratch").File("/etc/ld.so.cache")
            .Link("/etc/resolv.conf", "../run/resolv.conf").File("/run/resolv.conf");
        var r = Close(root, "/proc", "/proc/1", "/tmp/scratch", "/etc/ld.so.cache", "/etc/resolv.conf");
        Assert.Equal(["/etc/resolv.conf", "/proc"], r.Paths);
    }

    [Fact]
    public void DirectoriesAreKeptAsDirectoriesNotExpanded()
    {
        using var root = new TempRoot().File("/usr/share/zoneinfo/UTC").File("/usr/share/zoneinfo/Europe/Paris");
        Assert.Equal(["/usr/share/zoneinfo"], Close(root, "/usr/share/zoneinfo").Paths);
    }

    [Fact]
    public void NssSetAddsConfigurationModulesAndOnlyARegularResolvConf()
    {
        using var root = AppRoot("hello-rpath")
            .File("/etc/nsswitch.conf", "passwd: files systemd\nhosts: files [NOTFOUND=return] dns\n")
            .File("/etc/hosts", "127.0.0.1 localhost\n")
            .File("/etc/passwd", "root:x:0:0::/root:/bin/sh\n")
            .Link("/etc/resolv.conf", "../run/systemd/resolve/stub-resolv.conf")
            .Copy("/usr/lib/x86_64-linux-gnu/libnss_files.so.2", $"{Multiarch}/libnss_files.so.2")
            .Copy("/usr/lib/x86_64-linux-gnu/libresolv.so.2", $"{Multiarch}/libresolv.so.2");
        var r = ClosureResolver.Resolve(["/opt/app/prog/hello-rpath"], new ClosureOptions { Root = root.Path });
        Assert.Empty(r.Warnings);
        foreach (var p in new[] { "/etc/nsswitch.conf", "/etc/hosts", "/etc/passwd", $"{Multiarch}/libnss_files.so.2", $"{Multiarch}/libresolv.so.2" })
            Assert.Contains(p, r.Paths);
        Assert.DoesNotContain("/etc/resolv.conf", r.Paths);
        Assert.DoesNotContain("/etc/group", r.Paths);

        root.File("/etc/resolv.conf.real", "nameserver 10.0.0.1\n");
        File.Delete(root.Host("/etc/resolv.conf"));
        File.Move(root.Host("/etc/resolv.conf.real"), root.Host("/etc/resolv.conf"));
        var again = ClosureResolver.Resolve(["/opt/app/prog/hello-rpath"], new ClosureOptions { Root = root.Path });
        Assert.Contains("/etc/resolv.conf", again.Paths);
    }

    [Fact]
    public void HostPerlClosureHasItsInterpreterAndLibraries()
    {
        // Debian's /usr/bin/perl has libperl built in; perl5.36-x86_64-linux-gnu is the
        // same perl linked against libperl.so, so both are checked.
        var r = ClosureResolver.Resolve(["/usr/bin/perl", "/usr/bin/perl5.36-x86_64-linux-gnu"], new ClosureOptions());
        Assert.Contains("/usr/bin/perl", r.Paths);
        Assert.Contains("/lib64", r.Paths);
        Assert.Contains("/usr/lib64/ld-linux-x86-64.so.2", r.Paths);
        Assert.Contains($"{Multiarch}/ld-linux-x86-64.so.2", r.Paths);
        Assert.Contains($"{Multiarch}/libperl.so.5.36", r.Paths);
        Assert.Contains($"{Multiarch}/libperl.so.5.36.0", r.Paths);
        Assert.Contains($"{Multiarch}/libc.so.6", r.Paths);
        Assert.Contains($"{Multiarch}/libm.so.6", r.Paths);
        Assert.Contains($"{Multiarch}/libcrypt.so.1", r.Paths);
        Assert.Contains("/etc/nsswitch.conf", r.Paths);
        Assert.Empty(r.Warnings);
        Assert.False(r.NeedsLoaderCache);
    }
}
