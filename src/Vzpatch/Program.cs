using Vz;
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
try
{
    // OUTPUT is written beside itself and renamed only on success (VcdiffDecoder.DecodeFile).
    if (deltaPath == "-")
    {
        using var stdin = Console.OpenStandardInput();
        VcdiffDecoder.DecodeFile(sourcePath, stdin, outputPath);
    }
    else
        VcdiffDecoder.DecodeFile(sourcePath, deltaPath, outputPath);
    return ExitCodes.Ok;
}
catch (VzException e)
{
    // I/O messages name their file; the others are about the delta.
    var about = e.Error == VcdiffErrors.Io ? "" : $"{deltaPath}: ";
    Console.Error.WriteLine($"vzpatch: {e.Code}: {about}{e.Message}");
    return ExitCodes.For(e.Error);
}
