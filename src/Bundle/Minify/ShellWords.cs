using System.Text;

namespace Vz.Bundle.Minify;

/// <summary>
/// Splits one line of an exercise file into words the way a POSIX shell would for
/// plain words, 'single' and "double" quotes and backslashes; no expansions.
/// </summary>
public static class ShellWords
{
    public static IReadOnlyList<string> Split(string line, string file, int lineNo)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                    break;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0) throw Unclosed(file, lineNo, c);
                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= line.Length) throw Unclosed(file, lineNo, c);
                        if (line[i] == '"') break;
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`') i++;
                        word.Append(line[i]);
                    }
                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>An exercise file: one command per line; blank lines and # comments skipped.</summary>
    /// <summary>The largest exercise file minify reads.</summary>
    public const long MaxBytes = 4 << 20;

    public static IReadOnlyList<IReadOnlyList<string>> ReadCommands(string file)
    {
        var lines = InputFile.ReadAllText(file, MaxBytes, MinifyErrors.CannotReadExercise, "exercise").Split('\n');
        var commands = new List<IReadOnlyList<string>>();
        for (var n = 0; n < lines.Length; n++)
        {
            var t = lines[n].Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            commands.Add(Split(t, file, n + 1));
        }
        return commands;
    }

    static VzException Unclosed(string file, int line, char quote) =>
        new(MinifyErrors.BadExerciseLine, $"{file}:{line}: unclosed {quote} quote");
}
