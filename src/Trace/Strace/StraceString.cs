using System.Text;

namespace Vz.Trace.Strace;

/// <summary>
/// strace's quoting, undone. strace prints a string argument between double quotes with
/// C escapes (\" \\ \n \t \v \f \r), octal \ooo for other bytes (1 to 3 digits) and \xhh
/// with -x; see strace's util.c string_quote(). The log is read as Latin-1 so each char
/// below U+0100 is one byte of the original; chars above are taken as UTF-8 text.
/// </summary>
public static class StraceString
{
    /// <summary>Decodes the escaped body between the quotes to the raw bytes.</summary>
    public static byte[] Unescape(ReadOnlySpan<char> body, int line)
    {
        var bytes = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c != '\\')
            {
                AddChar(bytes, body, ref i);
                continue;
            }
            if (++i >= body.Length)
                throw new StraceParseException(TraceErrors.BadLogEscape, line, "string ends in a lone backslash");
            c = body[i];
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'v': bytes.Add((byte)'\v'); break;
                case 'f': bytes.Add((byte)'\f'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'a': bytes.Add(0x07); break;
                case 'b': bytes.Add(0x08); break;
                case 'e': bytes.Add(0x1B); break;
                case '"' or '\\' or '\'' or '?': bytes.Add((byte)c); break;
                case 'x':
                {
                    var n = 0;
                    var value = 0;
                    while (n < 2 && i + 1 < body.Length && Uri.IsHexDigit(body[i + 1]))
                    {
                        value = value * 16 + Convert.ToInt32(body[++i].ToString(), 16);
                        n++;
                    }
                    if (n == 0)
                        throw new StraceParseException(TraceErrors.BadLogEscape, line, "\\x without hex digits in a string");
                    bytes.Add((byte)value);
                    break;
                }
                case >= '0' and <= '7':
                {
                    var value = c - '0';
                    for (var n = 1; n < 3 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7'; n++)
                        value = value * 8 + (body[++i] - '0');
                    if (value > 0xFF)
                        throw new StraceParseException(TraceErrors.BadLogEscape, line, $"octal escape above \\377 in a string");
                    bytes.Add((byte)value);
                    break;
                }
                default:
                    throw new StraceParseException(TraceErrors.BadLogEscape, line, $"unknown escape \\{c} in a string");
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Bytes to text without loss (<see cref="RawText.Decode"/>: each byte that is not UTF-8 as U+DC00+b).</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes) => RawText.Decode(bytes);

    /// <summary>The original bytes of a string made by <see cref="FromBytes"/>.</summary>
    public static byte[] ToBytes(string text) => RawText.Encode(text);

    /// <summary>False when the text holds escaped non-UTF-8 bytes.</summary>
    public static bool IsUtf8(string text) => RawText.IsUtf8(text);

    /// <summary>A printable form for messages: non-UTF-8 bytes as \xHH.</summary>
    public static string Display(string text) => RawText.Printable(text);

    /// <summary>Adds the char at i (a Latin-1 byte, or UTF-8 of a BMP char or surrogate pair).</summary>
    static void AddChar(List<byte> bytes, ReadOnlySpan<char> text, ref int i)
    {
        var c = text[i];
        if (c < 0x100)
        {
            bytes.Add((byte)c);
            return;
        }
        var width = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
        bytes.AddRange(Encoding.UTF8.GetBytes(text.Slice(i, width).ToArray()));
        i += width - 1;
    }
}
