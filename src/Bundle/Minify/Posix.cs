using System.Runtime.InteropServices;

namespace Vz.Bundle.Minify;

/// <summary>The few POSIX calls .NET lacks that unpacking needs: lchown and link.</summary>
internal static partial class Posix
{
    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LChownNative(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LinkNative(string oldPath, string newPath);

    public static void LChown(string path, int uid, int gid)
    {
        if (LChownNative(path, uid, gid) != 0)
            throw new IOException($"lchown {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void Link(string existing, string newPath)
    {
        if (LinkNative(existing, newPath) != 0)
            throw new IOException($"link {newPath} -> {existing}: errno {Marshal.GetLastPInvokeError()}");
    }
}
