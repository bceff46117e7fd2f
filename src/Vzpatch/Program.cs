using Vz.Vcdiff;
using Vz.Vzpatch;

// vzpatch SOURCE DELTA OUTPUT: applies a VCDIFF delta (RFC 3284, as `xdelta3 -e` writes it, with
// -S none or -S lzma) in bounded memory. A one-shot command, never a daemon. DELTA may be "-" for stdin.
if (args is ["--version"])
{
    Console.WriteLine("vzpatch 1 (VCDIFF RFC 3284, xdelta3 VCD_ADLER32/VCD_APPHEADER, lzma secondary compression)");
    return ExitCodes.Ok;
}
if (args.Length != 3 || args.Any(a => a.Length == 0 || (a.StartsWith('-') && a != "-")))
{
    Console.Error.WriteLine("usage: vzpatch SOURCE DELTA OUTPUT   (DELTA may be - for stdin)");
    return ExitCodes.Usage;
}
var (sourcePath, deltaPath, outputPath) = (args[0], args[1], args[2]);
var created = false;
try
{
    using (var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess))
    using (var delta = deltaPath == "-" ? Console.OpenStandardInput() : new FileStream(deltaPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
    using (var output = new FileStream(outputPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
    {
        created = true;
        VcdiffDecoder.Decode(source, delta, output);
    }
    return ExitCodes.Ok;
}
catch (VcdiffException e)
{
    return Fail(ExitCodes.For(e.Error), $"{e.Code}: {deltaPath}: {e.Message}");
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    return Fail(ExitCodes.Io, e.Message);
}

int Fail(int code, string message)
{
    Console.Error.WriteLine($"vzpatch: {message}");
    // Never leave a partial output that could pass for the new archive.
    if (created)
        File.Delete(outputPath);
    return code;
}
