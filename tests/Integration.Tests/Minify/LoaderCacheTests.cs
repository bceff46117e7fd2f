using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Minify;

/// <summary>
/// A library found only through an /etc/ld.so.conf directory: ld.so searches those only through
/// /etc/ld.so.cache, so the bundle needs a cache of its own (`ldconfig -r`), or it does not start.
/// </summary>
public sealed class LoaderCacheTests : IDisposable
{
    readonly ScratchDir dir = new("minify-ldcache");

    public void Dispose() => dir.Dispose();

    /// <summary>A merged-/usr rootfs: the host's libc and loader, /opt/prog using /opt/vzlib/libvzgreet.so, ld.so.conf naming /opt/vzlib, a cache.</summary>
    string StageRootfs()
    {
        var root = dir["src"];
        Directory.CreateDirectory(root + "/usr/lib/x86_64-linux-gnu");
        Directory.CreateDirectory(root + "/usr/lib64");
        Directory.CreateDirectory(root + "/opt/vzlib");
        Directory.CreateDirectory(root + "/etc/ld.so.conf.d");
        File.CreateSymbolicLink(root + "/lib", "usr/lib");
        File.CreateSymbolicLink(root + "/lib64", "usr/lib64");
        File.Copy("/usr/lib/x86_64-linux-gnu/libc.so.6", root + "/usr/lib/x86_64-linux-gnu/libc.so.6");
        File.Copy("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", root + "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        File.CreateSymbolicLink(root + "/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        File.WriteAllText(root + "/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
        File.WriteAllText(root + "/etc/ld.so.conf.d/vz.conf", "/opt/vzlib\n");

        dir.Write("greet.c", "#include <stdio.h>\nvoid greet(void) { puts(\"found through ld.so.cache\"); }\n");
        dir.Write("prog.c", "void greet(void);\nint main(void) { greet(); return 0; }\n");
        Tools.Checked("gcc", "-shared", "-fPIC", "-o", root + "/opt/vzlib/libvzgreet.so", dir["greet.c"]);
        Tools.Checked("gcc", "-o", root + "/opt/prog", dir["prog.c"], "-L" + root + "/opt/vzlib", "-lvzgreet");
        Tools.Checked("ldconfig", "-X", "-r", root);
        return root;
    }

    [Fact]
    public void LibraryFoundOnlyThroughLdSoConfGetsTheBundleItsOwnLoaderCache()
    {
        var root = StageRootfs();
        var r = Vzbuild.Run("minify", "--from", root, "-o", dir["out"], "-t", $"localhost/{dir.Id}:1", "--", "/opt/prog");
        Assert.True(r.Ok, r.StdErr);
        Assert.Equal("found through ld.so.cache\n", r.StdOut);

        Assert.True(File.Exists(dir["out/bundle/rootfs/etc/ld.so.cache"]), "no loader cache in the bundle");
        Assert.True(File.Exists(dir["out/bundle/rootfs/etc/ld.so.conf.d/vz.conf"]));
        var run = Runc.Run(dir["out/bundle"], dir.Id);
        Assert.True(run.Ok, "runc: " + run.StdErr);
        Assert.Equal("found through ld.so.cache\n", run.StdOut);
    }
}
