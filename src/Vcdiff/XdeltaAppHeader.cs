using System.Text;

namespace Vz.Vcdiff;

/// <summary>
/// xdelta3's application header: "TARGET/TCOMP" or "TARGET/TCOMP/SOURCE/SCOMP", split on '/'
/// into at most four fields the way xdelta3-main.h main_get_appheader does. A compressor field
/// (B bzip2, G gzip, Z compress, Y xz, maybe followed by a level digit) means `xdelta3 -e`
/// decompressed that file before encoding (a .gz without -D): `xdelta3 -d` then decompresses
/// the source and recompresses the output. vzpatch does neither, so such a delta is refused
/// rather than decoded to bytes that differ from the file the master encoded.
/// </summary>
internal static class XdeltaAppHeader
{
    /// <summary>Why the delta must be refused, or null when no field names an external compressor.</summary>
    public static string? ExternalCompression(ReadOnlySpan<byte> appHeader)
    {
        var fields = Split(appHeader);
        string? target = fields.Count is 2 or 4 && fields[1].Length > 0 ? fields[1] : null;
        string? source = fields.Count == 4 && fields[3].Length > 0 ? fields[3] : null;
        if (target is null && source is null)
            return null;
        var what = target is not null
            ? $"the target was compressed with {Compressor(target)}" + (source is not null ? $" and the source with {Compressor(source)}" : "")
            : $"the source was compressed with {Compressor(source!)}";
        return $"application header \"{Printable(appHeader)}\" says {what}: xdelta3 -e decompressed it before encoding and " +
               "xdelta3 -d would recompress, which vzpatch does not do (encode with -D, or decompress the files first)";
    }

    private static List<string> Split(ReadOnlySpan<byte> header)
    {
        // xdelta3 reads the header as a C string: it ends at the first NUL.
        var nul = header.IndexOf((byte)0);
        if (nul >= 0)
            header = header[..nul];
        var fields = new List<string>();
        while (fields.Count < 3 && header.IndexOf((byte)'/') is var slash and >= 0)
        {
            fields.Add(Encoding.Latin1.GetString(header[..slash]));
            header = header[(slash + 1)..];
        }
        fields.Add(Encoding.Latin1.GetString(header));
        return fields;
    }

    // xdelta3-main.h extcomp_types idents.
    private static string Compressor(string field) => field.TrimEnd("0123456789".ToCharArray()) switch
    {
        "B" => "bzip2",
        "G" => "gzip",
        "Z" => "compress",
        "Y" => "xz",
        var other => $"\"{other}\"",
    };

    /// <summary>The header with anything outside printable ASCII as \xNN: it comes from the delta and goes to a terminal.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes[..Math.Min(bytes.Length, 200)])
            text.Append(b is >= 0x20 and < 0x7F and not (byte)'\\' and not (byte)'"' ? (char)b : $"\\x{b:X2}");
        if (bytes.Length > 200)
            text.Append("...");
        return text.ToString();
    }
}
