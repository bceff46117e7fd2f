using System.Text;

namespace Vz;

/// <summary>
/// Reading a file vz did not make (a spec, a config.json, an inventory, an ssh config), within a
/// limit: a directory is refused, and a device or endless stream (/dev/zero, a pipe that never
/// ends) is read no further than the limit, so no input can make vz grow without bound. Every
/// failure is a <see cref="VzException"/> with the caller's code, naming the file.
/// </summary>
public static class InputFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/>, at most <paramref name="maxBytes"/>. What the file is
    /// called in messages is <paramref name="what"/> ("spec", "config.json"); a missing file is
    /// <paramref name="missing"/> when given, else <paramref name="error"/>.
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, ErrorCode error, string what, ErrorCode? missing = null)
    {
        if (Directory.Exists(path))
            throw new VzException(error, $"{path}: is a directory, not a file ({what})");
        try
        {
            // No FileStream length: devices and pipes report 0 and read on for ever.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            using var into = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxBytes + 1 - into.Length))) > 0)
            {
                into.Write(buffer, 0, n);
                if (into.Length > maxBytes)
                    throw new VzException(error, $"{path}: more than {Size(maxBytes)}, the most vz reads of a file ({what}); refusing it",
                        "is it the file you meant? (a device or an endless stream is read no further)");
            }
            return into.ToArray();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VzException(missing ?? error, $"{path}: {what} not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(error, $"{path}: cannot read {what}: {e.Message}");
        }
    }

    /// <summary>The file as UTF-8 text (a BOM is dropped; bytes that are not UTF-8 become U+FFFD), at most <paramref name="maxBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes, ErrorCode error, string what, ErrorCode? missing = null)
    {
        var bytes = ReadAllBytes(path, maxBytes, error, what, missing);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
    }

    /// <summary>"64 MiB", "512 KiB", "100 bytes": how a limit reads in a message.</summary>
    public static string Size(long bytes) =>
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";
}
