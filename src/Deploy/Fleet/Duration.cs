using System.Globalization;
using System.Text.RegularExpressions;

namespace Vz.Deploy.Fleet;

/// <summary>Durations as the fleet file writes them: 90s, 2m, 1h30m, 500ms (units in that order, each once).</summary>
public static partial class Duration
{
    [GeneratedRegex("^(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m(?!s))?(?:(?<s>[0-9]+)s)?(?:(?<ms>[0-9]+)ms)?$")]
    private static partial Regex Syntax();

    public static TimeSpan? Parse(string text)
    {
        var m = Syntax().Match(text);
        if (!m.Success || text.Length == 0)
            return null;
        long Part(string g) => m.Groups[g].Success ? long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            return TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s")) + TimeSpan.FromMilliseconds(Part("ms"));
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>The same notation back: 1m30s, 60s, 500ms.</summary>
    public static string Text(TimeSpan t)
    {
        if (t == TimeSpan.Zero)
            return "0s";
        var s = "";
        if (t.Hours + t.Days * 24 > 0) s += $"{t.Hours + t.Days * 24}h";
        if (t.Minutes > 0) s += $"{t.Minutes}m";
        if (t.Seconds > 0) s += $"{t.Seconds}s";
        if (t.Milliseconds > 0) s += $"{t.Milliseconds}ms";
        return s;
    }
}
