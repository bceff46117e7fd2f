using System.Text;

namespace Vz;

/// <summary>
/// Bytes that may not be UTF-8 (file names, arguments, environment values) carried in a string
/// without loss, as Python's "surrogateescape" (PEP 383) does: UTF-8 where valid, and each other
/// byte b as the lone surrogate U+DC00+b. <see cref="Encode"/> gives the bytes back, so a program
/// vz runs gets what the user typed byte for byte (<see cref="ProcessSpec"/>). <see cref="Printable"/>
/// is what such text (or any text from an input file) may put on a terminal.
/// </summary>
public static class RawText
{
    const int EscapeBase = 0xDC00;

    /// <summary>Bytes to text without loss.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var used) == System.Buffers.OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                bytes = bytes[used..];
            }
            else
            {
                sb.Append((char)(EscapeBase + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }

    /// <summary>The bytes of a string made by <see cref="Decode"/> (UTF-8 for everything else; another lone surrogate becomes U+FFFD).</summary>
    public static byte[] Encode(string text)
    {
        if (IsUtf8(text))
            return Encoding.UTF8.GetBytes(text);
        var bytes = new List<byte>(text.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (IsEscapedByte(text[i]))
            {
                bytes.Add((byte)(text[i] - EscapeBase));
                continue;
            }
            if (!Rune.TryGetRuneAt(text, i, out var rune))
                rune = Rune.ReplacementChar;
            var n = rune.EncodeToUtf8(utf8);
            for (var k = 0; k < n; k++)
                bytes.Add(utf8[k]);
            i += rune.Utf16SequenceLength - 1;
        }
        return bytes.ToArray();
    }

    /// <summary>False when the text holds escaped bytes that are not UTF-8.</summary>
    public static bool IsUtf8(string text) => !text.Any(IsEscapedByte);

    /// <summary>True for the char that stands for a byte that is not UTF-8.</summary>
    public static bool IsEscapedByte(char c) => c is >= (char)(EscapeBase + 0x80) and <= (char)(EscapeBase + 0xFF);

    /// <summary>
    /// The text as a terminal may show it: escaped bytes as \xHH, control characters (C0, DEL, C1;
    /// an escape sequence could recolour, move or retitle the terminal), other lone surrogates and
    /// bidirectional overrides (which reorder what is read) as \n, \t, \r or \u{HHHH}. Everything
    /// else, including U+FFFD, stays as it is.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(NeedsEscape))
            return text;
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[++i]);
                continue;
            }
            if (!NeedsEscape(c))
                sb.Append(c);
            else if (IsEscapedByte(c))
                sb.Append($"\\x{c - EscapeBase:x2}");
            else
                sb.Append(c switch { '\n' => "\\n", '\t' => "\\t", '\r' => "\\r", _ => $"\\u{{{(int)c:X4}}}" });
        }
        return sb.ToString();
    }

    /// <summary><see cref="Printable"/> of each line of a multi-line text (a table), keeping its line breaks.</summary>
    public static string PrintableLines(string text) => string.Join('\n', text.Split('\n').Select(Printable));

    static bool NeedsEscape(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F';
}
