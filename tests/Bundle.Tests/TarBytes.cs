using System.Formats.Tar;
using Vz.Bundle.Tar;
using Vz.Oci.Tar;
using VzTarEntry = Vz.Oci.Tar.TarEntry;

namespace Vz.Bundle.Tests;

/// <summary>Tar streams in memory: vz's writer out, .NET's reader (another implementation) back in.</summary>
public static class TarBytes
{
    public static byte[] Of(IEnumerable<VzTarEntry> entries, long clamp = 0)
    {
        var ms = new MemoryStream();
        TarStreamWriter.WriteAll(entries, ms, clamp);
        return ms.ToArray();
    }

    public static List<System.Formats.Tar.TarEntry> Read(byte[] tar)
    {
        var list = new List<System.Formats.Tar.TarEntry>();
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry(copyData: true) is { } e)
            list.Add(e);
        return list;
    }
}
