using System.Text.RegularExpressions;

namespace Vz.Integration.Tests.Playbook;

/// <summary>One host's line of ansible-playbook's PLAY RECAP.</summary>
public sealed record Recap(int Ok, int Changed, int Unreachable, int Failed, int Skipped, int Rescued);

/// <summary>
/// What one ansible-playbook run printed (the default callback, no colour): the recap per host, and
/// per host the names of the tasks that reported changed.
/// </summary>
public sealed partial class PlaybookRun(ProcessResult process, TimeSpan elapsed)
{
    public ProcessResult Process => process;
    /// <summary>The run's wall time.</summary>
    public TimeSpan Elapsed => elapsed;
    public int ExitCode => process.ExitCode;
    public string Output => process.StdOut + process.StdErr;

    [GeneratedRegex(@"^(?<host>\S+)\s+: ok=(?<ok>\d+)\s+changed=(?<changed>\d+)\s+unreachable=(?<unreachable>\d+)\s+failed=(?<failed>\d+)\s+skipped=(?<skipped>\d+)\s+rescued=(?<rescued>\d+)")]
    private static partial Regex RecapLine();

    [GeneratedRegex(@"^TASK \[(?:vz_pod : )?(?<name>.*?)\] \*+$")]
    private static partial Regex TaskLine();

    [GeneratedRegex(@"^changed: \[(?<host>[^\] ]+)")]
    private static partial Regex ChangedLine();

    IEnumerable<string> Lines => process.StdOut.Split('\n').Select(l => l.TrimEnd('\r'));

    /// <summary>The hosts in the recap: those the play reached.</summary>
    public IReadOnlyDictionary<string, Recap> Recap => Lines.Select(l => RecapLine().Match(l)).Where(m => m.Success).ToDictionary(
        m => m.Groups["host"].Value,
        m => new Recap(N(m, "ok"), N(m, "changed"), N(m, "unreachable"), N(m, "failed"), N(m, "skipped"), N(m, "rescued")));

    static int N(Match m, string g) => int.Parse(m.Groups[g].Value);

    /// <summary>The tasks that reported changed on a host, in order, each once.</summary>
    public IReadOnlyList<string> ChangedTasks(string host)
    {
        var found = new List<string>();
        string? task = null;
        foreach (var line in Lines)
        {
            if (TaskLine().Match(line) is { Success: true } t)
                task = t.Groups["name"].Value;
            else if (task is not null && ChangedLine().Match(line) is { Success: true } c && c.Groups["host"].Value == host && !found.Contains(task))
                found.Add(task);
        }
        return found;
    }

    public override string ToString() =>
        $"exit {process.ExitCode}\n{string.Join('\n', process.StdOut.Split('\n').TakeLast(60))}\nstderr: {process.StdErr.Trim()}";
}
