namespace Vz;

/// <summary>
/// POSIX shell quoting, the one place vz builds words for a shell (commands sent to nodes over
/// SSH run through the login shell). Everything else passes argument lists, never a shell line.
/// </summary>
public static class Sh
{
    /// <summary>A word the shell reads back unchanged: plain when it is only safe characters, else single-quoted ('it'\''s').</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '=' or ':' or '@' or '+' or ',')
            ? s
            : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Quotes a path, leaving a leading "~/" for the shell to expand to $HOME.</summary>
    public static string Path(string p) =>
        p == "~" ? "\"$HOME\"" : p.StartsWith("~/") ? "\"$HOME\"/" + Quote(p[2..]) : Quote(p);
}
