using System.IO.Compression;
using Vz.Oci.Tar;

namespace Vz.Bundle.Tar;

public enum Compression { Zstd, Xz, Gzip, None }

/// <summary>Writes a reproducible, optionally compressed tarball of tar entries.</summary>
public static class Packer
{
    /// <summary>The compression a file name asks for (".tar.zst", ".tar.xz", ".tar.gz", ".tar"), or null.</summary>
    public static Compression? FromFileName(string file) => file switch
    {
        _ when file.EndsWith(".zst", StringComparison.Ordinal) || file.EndsWith(".tzst", StringComparison.Ordinal) => Compression.Zstd,
        _ when file.EndsWith(".xz", StringComparison.Ordinal) || file.EndsWith(".txz", StringComparison.Ordinal) => Compression.Xz,
        _ when file.EndsWith(".gz", StringComparison.Ordinal) || file.EndsWith(".tgz", StringComparison.Ordinal) => Compression.Gzip,
        _ when file.EndsWith(".tar", StringComparison.Ordinal) => Compression.None,
        _ => null,
    };

    public static string Extension(Compression c) => c switch
    {
        Compression.Zstd => ".tar.zst",
        Compression.Xz => ".tar.xz",
        Compression.Gzip => ".tar.gz",
        _ => ".tar",
    };

    /// <summary>
    /// Writes the entries to <paramref name="file"/> (via a temp file and a rename, so a failure
    /// leaves no half archive). Compressors run single-threaded with fixed settings, so equal
    /// entries give equal bytes.
    /// </summary>
    public static void Pack(IEnumerable<TarEntry> entries, string file, Compression compression, long mtimeClamp)
    {
        var full = Path.GetFullPath(file);
        var tmp = full + ".vz-tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var z = Compressor(fs, compression))
                TarStreamWriter.WriteAll(entries, z, mtimeClamp);
            if (compression == Compression.Xz)
            {
                // xz(1) rather than a managed encoder: it is what unpacks these, and -T1 keeps output stable.
                var xz = ProcessRunner.Which("xz") ?? throw new VzException(BundleErrors.XzFailed, "xz is not installed", "apt-get install xz-utils, or pack with zstd");
                ProcessRunner.RunChecked(BundleErrors.XzFailed, xz, "-z", "-T1", "-6", "-f", tmp);
                File.Move(tmp + ".xz", full, overwrite: true);
            }
            else
                File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(BundleErrors.CannotWriteArchive, $"{file}: cannot write archive: {e.Message}");
        }
        finally
        {
            DeleteIfPresent(tmp);
            DeleteIfPresent(tmp + ".xz");
        }
    }

    /// <summary>Removes a leftover temp file; a missing file or directory is fine.</summary>
    internal static void DeleteIfPresent(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
    }

    static Stream Compressor(Stream fs, Compression c) => c switch
    {
        Compression.Zstd => new ZstdSharp.CompressionStream(fs, level: 9, leaveOpen: true),
        Compression.Gzip => new GZipStream(fs, CompressionLevel.SmallestSize, leaveOpen: true),
        _ => new NonClosing(fs),
    };

    /// <summary>Lets the tar be written straight to the file for the uncompressed and xz cases.</summary>
    sealed class NonClosing(Stream inner) : WriteOnlyStream(inner)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Inner!.Write(buffer);
            Written += buffer.Length;
        }
    }
}
