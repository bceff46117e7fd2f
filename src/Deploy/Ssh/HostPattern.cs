namespace Vz.Deploy.Ssh;

/// <summary>
/// OpenSSH host patterns as used by ssh_config "Host" and known_hosts: '*' matches any run of
/// characters, '?' exactly one, a leading '!' negates, and a list matches when some positive
/// pattern matches and no negated one does (ssh_config(5) PATTERNS).
/// </summary>
public static class HostPattern
{
    public static bool Matches(string pattern, string host) =>
        Glob(pattern.AsSpan(), host.ToLowerInvariant().AsSpan(), caseFold: true);

    /// <summary>A pattern list (space or comma separated); negations veto.</summary>
    public static bool MatchesList(IEnumerable<string> patterns, string host)
    {
        var matched = false;
        foreach (var p in patterns)
        {
            if (p.StartsWith('!'))
            {
                if (Matches(p[1..], host))
                    return false;
            }
            else if (Matches(p, host))
                matched = true;
        }
        return matched;
    }

    static bool Glob(ReadOnlySpan<char> p, ReadOnlySpan<char> s, bool caseFold)
    {
        // Iterative wildcard match with backtracking to the last '*'.
        int pi = 0, si = 0, star = -1, mark = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || Fold(p[pi], caseFold) == s[si]))
            {
                pi++; si++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
                return false;
        }
        while (pi < p.Length && p[pi] == '*')
            pi++;
        return pi == p.Length;
    }

    static char Fold(char c, bool caseFold) => caseFold ? char.ToLowerInvariant(c) : c;
}
