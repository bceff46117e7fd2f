using System.Text;

namespace Vz;

/// <summary>
/// <see cref="TextReader.ReadLine"/> with a bound on the line: a stream without line breaks (a
/// binary file, /dev/zero) would otherwise be read into one string until memory runs out. Line
/// breaks are "\n", "\r\n" and a lone "\r", as ReadLine has them.
/// </summary>
public sealed class LineReader(TextReader reader, int maxChars, Func<int, VzException> tooLong)
{
    readonly StringBuilder line = new();
    readonly char[] buffer = new char[8192];
    int pos, len;
    bool afterCr;

    /// <summary>The 1-based number of the last line read.</summary>
    public int Number { get; private set; }

    /// <summary>The next line without its break, or null at the end; a line over the bound throws <c>tooLong(lineNumber)</c>.</summary>
    public string? ReadLine()
    {
        line.Clear();
        while (true)
        {
            if (pos == len)
            {
                len = reader.Read(buffer, 0, buffer.Length);
                pos = 0;
                if (len <= 0)
                {
                    len = 0;
                    return line.Length > 0 ? Next() : null;
                }
            }
            if (afterCr)
            {
                afterCr = false;
                if (buffer[pos] == '\n')
                {
                    pos++;
                    continue;
                }
            }
            var span = buffer.AsSpan(pos, len - pos);
            var end = span.IndexOfAny('\n', '\r');
            var take = end < 0 ? span.Length : end;
            if (line.Length + take > maxChars)
                throw tooLong(Number + 1);
            line.Append(span[..take]);
            pos += take;
            if (end < 0)
                continue;
            afterCr = buffer[pos] == '\r';
            pos++;
            return Next();
        }
    }

    string Next()
    {
        Number++;
        return line.ToString();
    }
}
