using Vz.Trace.Closure;

namespace Vz.Trace.Tests.Closure;

public class PathFilterTests
{
    [Theory]
    [InlineData("/proc/self/maps", false)]
    [InlineData("/sys/devices/system/cpu/online", false)]
    [InlineData("/dev/null", false)]
    [InlineData("/run/systemd/resolve/stub-resolv.conf", false)]
    [InlineData("/tmp/scratch", false)]
    [InlineData("/etc/ld.so.cache", false)]
    [InlineData("/etc/ld.so.preload", false)]
    [InlineData("/proc", true)]
    [InlineData("/tmp", true)]
    [InlineData("/etc/ld.so.conf", true)]
    [InlineData("/usr/lib/x86_64-linux-gnu/libc.so.6", true)]
    [InlineData("/procfs/file", true)]
    [InlineData("/devices.txt", true)]
    public void PseudoFilesystemContentsAndLoaderCachesAreDropped(string path, bool keep)
    {
        Assert.Equal(keep, PathFilter.Keep(path));
    }
}
