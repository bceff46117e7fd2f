using System.Runtime.InteropServices;

namespace Vz.Vcdiff;

public static partial class VcdiffDecoder
{
    /// <summary>Applies the delta file to the source file, writing the output file; see the other overload.</summary>
    public static VcdiffResult DecodeFile(string? sourcePath, string deltaPath, string outputPath, VcdiffOptions? options = null)
    {
        using var delta = VcdiffFiles.OpenRead(deltaPath, "delta", FileOptions.SequentialScan);
        return DecodeFile(sourcePath, delta, outputPath, options);
    }

    /// <summary>
    /// Applies <paramref name="delta"/> (may be a pipe) to the source file, writing the output file
    /// so that a failure never loses or half-writes anything vzpatch did not create: a regular (or
    /// missing) output is written to a temporary file beside it and renamed over it only on success;
    /// a device or FIFO (e.g. /dev/null) is written directly and never removed. A source that cannot
    /// seek (a pipe) is first copied to an unlinked temporary file beside the output.
    /// </summary>
    /// <exception cref="VzException">A <see cref="VcdiffErrors"/> code; <see cref="VcdiffErrors.Io"/> names the file.</exception>
    public static VcdiffResult DecodeFile(string? sourcePath, Stream delta, string outputPath, VcdiffOptions? options = null)
    {
        using var output = OutputFile.Open(outputPath);
        using var source = sourcePath is null ? null : VcdiffFiles.OpenSource(sourcePath, output.SpoolDirectory);
        VcdiffResult result;
        try
        {
            result = Decode(source, delta, output.Stream, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(VcdiffErrors.Io, $"I/O error while decoding to {outputPath}: {e.Message}", inner: e);
        }
        output.Commit();
        return result;
    }
}

/// <summary>Opening the three files, with I/O failures as <see cref="VcdiffErrors.Io"/>.</summary>
internal static class VcdiffFiles
{
    public static FileStream OpenRead(string path, string role, FileOptions options) =>
        Io(role, path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, options));

    /// <summary>The source, seekable: a pipe is copied to a temporary file in <paramref name="spoolDirectory"/>, unlinked at once so nothing is left behind.</summary>
    public static Stream OpenSource(string path, string spoolDirectory)
    {
        var source = OpenRead(path, "source", FileOptions.RandomAccess);
        if (source.CanSeek)
            return source;
        using (source)
        {
            var spoolPath = Path.Combine(spoolDirectory, $".vzpatch-source-{UniqueSuffix()}");
            var spool = Io("source copy", spoolPath, () => new FileStream(spoolPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16));
            File.Delete(spoolPath);
            try
            {
                Io("source", path, () => { source.CopyTo(spool, 1 << 16); return 0; });
                spool.Position = 0;
                return spool;
            }
            catch
            {
                spool.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// pid and clock for temporary names (created with CreateNew, so a clash fails rather than
    /// overwrites). Not a Guid: that needs /dev/urandom, which a minimal root may not have.
    /// </summary>
    public static string UniqueSuffix() => $"{Environment.ProcessId}-{System.Diagnostics.Stopwatch.GetTimestamp():x}";

    public static T Io<T>(string role, string path, Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(VcdiffErrors.Io, $"{role} {path}: {e.Message}", inner: e);
        }
    }
}

/// <summary>
/// Where the decoded bytes go. A regular or missing OUTPUT gets a temporary file beside it
/// (same file system, so the rename is atomic), made with the old file's permissions and
/// renamed over it on <see cref="Commit"/>; disposing without a commit removes only that
/// temporary file. A device, FIFO or socket is written directly (renaming over /dev/null would
/// replace the device), and a failure leaves it alone. Symlinks are followed.
/// </summary>
internal sealed class OutputFile : IDisposable
{
    private readonly string _final;
    private readonly string? _temp;
    private bool _committed;

    private OutputFile(FileStream stream, string final, string? temp, string spoolDirectory)
    {
        Stream = stream;
        _final = final;
        _temp = temp;
        SpoolDirectory = spoolDirectory;
    }

    public FileStream Stream { get; }

    /// <summary>Where a pipe source is copied: beside a regular output, else the temp directory.</summary>
    public string SpoolDirectory { get; }

    public static OutputFile Open(string path)
    {
        var final = Path.GetFullPath(path);
        if (new FileInfo(final).LinkTarget is not null)
            final = VcdiffFiles.Io("output", path, () => File.ResolveLinkTarget(final, returnFinalTarget: true)?.FullName ?? final);
        switch (FileKind.Of(final))
        {
            case FileKind.Kind.Directory:
                throw new VzException(VcdiffErrors.Io, $"output {path} is a directory");
            case FileKind.Kind.Other:
                // ReadWrite would let VCD_TARGET windows read back, but a device or FIFO cannot; write only.
                var direct = VcdiffFiles.Io("output", path, () => new FileStream(final, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16));
                return new OutputFile(direct, final, null, Path.GetTempPath());
        }
        var directory = Path.GetDirectoryName(final)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(final)}.vzpatch-{VcdiffFiles.UniqueSuffix()}");
        // ReadWrite: VCD_TARGET windows copy from output already written.
        var stream = VcdiffFiles.Io("output", path, () => new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16));
        try
        {
            if (File.Exists(final))
                File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(final));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            File.Delete(temp);
            throw new VzException(VcdiffErrors.Io, $"output {path}: {e.Message}", inner: e);
        }
        return new OutputFile(stream, final, temp, directory);
    }

    /// <summary>Makes the output final: flushed to disk, then renamed over OUTPUT.</summary>
    public void Commit()
    {
        VcdiffFiles.Io("output", _final, () =>
        {
            Stream.Flush(flushToDisk: _temp is not null);
            Stream.Dispose();
            if (_temp is not null)
                File.Move(_temp, _final, overwrite: true);
            return 0;
        });
        _committed = true;
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (_committed || _temp is null)
            return;
        try
        {
            File.Delete(_temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The error that got us here is the one to report.
        }
    }
}

/// <summary>
/// The file type behind a path (following symlinks), from statx(2): .NET reports devices and
/// FIFOs as plain files. statx's layout is the same on every architecture; glibc has had it
/// since 2.28 (EL8).
/// </summary>
internal static partial class FileKind
{
    public enum Kind
    {
        Missing,
        Regular,
        Directory,
        Other,
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;

    public static Kind Of(string path)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
            return Kind.Missing;
        var mode = BitConverter.ToUInt16(buffer[ModeOffset..]) & 0xF000;
        return mode switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            _ => Kind.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte statx);
}
