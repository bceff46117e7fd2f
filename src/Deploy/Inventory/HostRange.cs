using System.Globalization;

namespace Vz.Deploy.Inventory;

/// <summary>
/// Ansible's host ranges in an inventory host pattern, expanded as Ansible's
/// <c>expand_hostname_range</c> does (lib/ansible/plugins/inventory/__init__.py): <c>web[01:03]</c>
/// is web01, web02, web03 (a begin with a leading zero sets the width, and the end must be as
/// long); <c>db-[a:c]</c> is db-a, db-b, db-c (letters in the order a..z then A..Z); an optional
/// third part is the step (<c>[1:10:2]</c>); an empty begin is 0; several ranges in one name
/// multiply. A pattern that would name more than <see cref="MaxHosts"/> hosts is refused, and so is
/// a numeric range whose end is below its begin (Ansible expands it to no host at all, silently).
/// </summary>
public static class HostRange
{
    /// <summary>The most hosts one pattern may name: a typo such as [1:1000000] must not fill memory.</summary>
    public const int MaxHosts = 10_000;

    const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The host names of <paramref name="pattern"/>, or why it is not a range Ansible takes (an exception from <paramref name="error"/>).</summary>
    public static IReadOnlyList<string> Expand(string pattern, Func<string, VzException> error)
    {
        var open = pattern.IndexOf('[');
        if (open < 0)
            return [pattern];
        var close = pattern.IndexOf(']', open);
        if (close < 0)
            throw error($"host pattern '{pattern}' has '[' without a closing ']'");
        var (head, body, tail) = (pattern[..open], pattern[(open + 1)..close], pattern[(close + 1)..]);
        var rests = Expand(tail, error);
        var hosts = new List<string>();
        foreach (var item in Items(body, pattern, error))
        {
            foreach (var rest in rests)
            {
                if (hosts.Count == MaxHosts)
                    throw error($"host pattern '{pattern}' names more than {MaxHosts} hosts");
                hosts.Add(head + item + rest);
            }
        }
        return hosts;
    }

    /// <summary>What one [begin:end(:step)] stands for, in order.</summary>
    static IEnumerable<string> Items(string body, string pattern, Func<string, VzException> error)
    {
        var bounds = body.Split(':');
        if (bounds.Length is not (2 or 3))
            throw error($"host range [{body}] in '{pattern}' must be begin:end or begin:end:step");
        var (begin, end) = (bounds[0].Length == 0 ? "0" : bounds[0], bounds[1]);
        if (end.Length == 0)
            throw error($"host range [{body}] in '{pattern}' has no end");
        var step = 1L;
        if (bounds.Length == 3 && (!long.TryParse(bounds[2], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step == 0))
            throw error($"host range [{body}] in '{pattern}': step '{bounds[2]}' is not a positive number");
        if (begin.Length == 1 && end.Length == 1 && Letters.IndexOf(begin[0]) is var from and >= 0 && Letters.IndexOf(end[0]) is var to and >= 0)
        {
            if (from > to)
                throw error($"host range [{body}] in '{pattern}' must have begin <= end");
            for (long k = 0, count = (to - from) / step; k <= count; k++)
                yield return Letters[(int)(from + k * step)].ToString();
            yield break;
        }
        if (!long.TryParse(begin, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            throw error($"host range [{body}] in '{pattern}' is neither numbers nor single letters");
        // A leading zero sets the width: [01:10] is 01..10 (and the end must be as wide).
        var width = begin.Length > 1 && begin[0] == '0' ? begin.Length : 0;
        if (width > 0 && end.Length != width)
            throw error($"host range [{body}] in '{pattern}': begin and end must be equally long when zero-padded");
        if (last < first)
            throw error($"host range [{body}] in '{pattern}' must have begin <= end");
        if ((last - first) / step >= MaxHosts)
            throw error($"host pattern '{pattern}' names more than {MaxHosts} hosts");
        for (long k = 0, count = (last - first) / step; k <= count; k++)
            yield return (first + k * step).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
    }
}
