namespace Vz.Deploy.Ssh;

/// <summary>The line reader shared by the ssh config, known_hosts and inventory parsers.</summary>
static class ConfigLines
{
    /// <summary>The longest line read (a known_hosts line with a 16384-bit RSA key is under 3 KB).</summary>
    public const int MaxLineChars = 64 * 1024;

    /// <summary>Trimmed lines with their 1-based numbers, skipping blanks and comment lines; a line over <see cref="MaxLineChars"/> is <paramref name="tooLong"/>.</summary>
    public static IEnumerable<(int Number, string Text)> Read(TextReader reader, Func<int, VzException> tooLong, string commentStarts = "#")
    {
        var lines = new LineReader(reader, MaxLineChars, tooLong);
        while (lines.ReadLine() is { } raw)
        {
            var line = raw.Trim();
            if (line.Length > 0 && !commentStarts.Contains(line[0]))
                yield return (lines.Number, line);
        }
    }

    /// <summary>The message for a line over <see cref="MaxLineChars"/>.</summary>
    public static string TooLong(string source, int line) => $"{source}:{line}: line longer than {MaxLineChars} characters (is it a text file?)";
}
