namespace Vz.Deploy.Ssh;

/// <summary>The line reader shared by the ssh config, known_hosts and inventory parsers.</summary>
static class ConfigLines
{
    /// <summary>Trimmed lines with their 1-based numbers, skipping blanks and comment lines.</summary>
    public static IEnumerable<(int Number, string Text)> Read(TextReader reader, string commentStarts = "#")
    {
        var n = 0;
        while (reader.ReadLine() is { } raw)
        {
            n++;
            var line = raw.Trim();
            if (line.Length > 0 && !commentStarts.Contains(line[0]))
                yield return (n, line);
        }
    }
}
