using System.Collections.Concurrent;
using Vz.Deploy.Ssh;
using Vz.Deploy.View;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.FleetView;

[Collection(FleetViewCollection.Name)]
public sealed class LogsTests(FleetViewFleet fx, ITestOutputHelper output)
{
    /// <summary>A request httpd logs to stderr (the journal) as "url:/MARK": a line the test can count.</summary>
    static Task MarkAsync(TestNode node, string mark) => Web.TryGetAsync(node, FleetViewFleet.WebPort, "/" + mark);

    static string Unique(string what) => $"{what}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task LogsShowsTheAppsLinesFromBothNodesEachWithItsNodesName()
    {
        var (m1, m2) = (Unique("n1mark"), Unique("n2mark"));
        await MarkAsync(fx.N1, m1);
        await MarkAsync(fx.N2, m2);
        await Task.Delay(500);
        var logs = await fx.RunAsync("logs", "web");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        var lines = logs.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        output.WriteLine($"{lines.Length} lines; the last ones:\n{string.Join('\n', lines.TakeLast(6))}");
        // Written by the app itself at each start, on stdout and on stderr.
        foreach (var n in new[] { "n1", "n2" })
        {
            Assert.Contains(lines, l => l.StartsWith(n + " ") && l.Contains(" web-app: app web v1 starting"));
            Assert.Contains(lines, l => l.StartsWith(n + " ") && l.Contains(" web-app: app web v1 stderr"));
        }
        Assert.Single(lines, l => l.Contains("url:/" + m1) && l.StartsWith("n1 "));
        Assert.Single(lines, l => l.Contains("url:/" + m2) && l.StartsWith("n2 "));
        Assert.DoesNotContain(lines, l => l.StartsWith("n3 "));
        // Time order across nodes: the timestamp is the second field.
        var times = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);

        var two = await fx.RunAsync("logs", "web", "-n", "2", "--node", "n2");
        Assert.Equal(2, two.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(two.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith("n2 ", l));
    }

    /// <summary>The node's journal as a download writes it, up to and with the entry the saved cursor names.</summary>
    static async Task<IReadOnlyList<string>> JournalUpToCursorAsync(TestNode node, string cursorFile)
    {
        var cursor = DownloadCursor.Parse(File.ReadAllText(cursorFile))!.Cursor;
        var entries = Journal.Parse(await NodeState.ExecAsync(node, $"journalctl --no-pager -q -o json --output-fields={Journal.LineFields}")).Entries.ToList();
        var last = entries.FindIndex(e => e.Cursor == cursor);
        Assert.True(last >= 0, $"{node.Name}'s journal has no entry {cursor}");
        return entries.Take(last + 1).SelectMany(JournalDownload.Lines).ToList();
    }

    [Fact]
    public async Task ASecondDownloadAddsOnlyTheLinesWrittenInBetweenAndAWipedJournalStartsANewSection()
    {
        using var dir = new ScratchDir("logs-download");
        var first = await fx.RunAsync("logs", "--download", dir.Path);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = File.ReadAllLines(dir["n1.log"]);
        Assert.Equal(await JournalUpToCursorAsync(fx.N1, dir[".n1.cursor"]), before);
        var marks = Enumerable.Range(0, 5).Select(i => Unique($"dl{i}")).ToList();
        foreach (var m in marks)
            await MarkAsync(fx.N1, m);
        await Task.Delay(500);

        var second = await fx.RunAsync("logs", "--download", dir.Path);
        Assert.True(second.ExitCode == 0, second.ToString());
        output.WriteLine(second.StdOut);
        var after = File.ReadAllLines(dir["n1.log"]);
        var added = after.Skip(before.Length).ToList();
        output.WriteLine($"n1: the first download wrote {before.Length} lines, the second added {added.Count} ({added.Count(l => l.Contains("url:/dl"))} of them the 5 requests made in between)");
        // The file is the node's journal up to the saved cursor, once: nothing twice, nothing left out.
        Assert.Equal(before, after.Take(before.Length));
        Assert.Equal(await JournalUpToCursorAsync(fx.N1, dir[".n1.cursor"]), after);
        foreach (var m in marks)
            Assert.Single(added, l => l.Contains("url:/" + m));
        Assert.Matches($@"(?m)^n1 +{added.Count} ", second.StdOut);

        // n3's journal wiped (as a reinstall or a vacuum would): a note, then the new journal, nothing twice.
        var mark = Unique("wiped");
        await NodeState.ExecAsync(fx.N3, "systemctl stop systemd-journald.socket systemd-journald-dev-log.socket systemd-journald.service 2>/dev/null; " +
            "rm -rf /var/log/journal/*/* /run/log/journal/*/*; systemctl start systemd-journald.socket systemd-journald-dev-log.socket systemd-journald.service; " +
            $"sleep 1; logger -t vz-test {mark}");
        var firstN3 = File.ReadAllLines(dir["n3.log"]);
        var third = await fx.RunAsync("logs", "--download", dir.Path);
        Assert.True(third.ExitCode == 0, third.ToString());
        output.WriteLine(third.StdOut);
        var n3 = File.ReadAllLines(dir["n3.log"]);
        Assert.Equal(firstN3, n3.Take(firstN3.Length));
        Assert.StartsWith("-- vz ", n3[firstN3.Length]);
        Assert.Contains("journal no longer holds the last entry downloaded before", n3[firstN3.Length]);
        Assert.Equal(await JournalUpToCursorAsync(fx.N3, dir[".n3.cursor"]), n3.Skip(firstN3.Length + 1));
        Assert.Single(n3, l => l.Contains(mark));
        Assert.Contains("a new section began", third.StdOut);
    }

    /// <summary>logs -f on both nodes at once; n1's SSH sessions are killed mid-poll and the follow goes on from its cursor.</summary>
    [Fact]
    public async Task FollowShowsNewLinesFromBothNodesAndSurvivesANodeDropping()
    {
        var options = new SshOptions { KnownHostsFile = VzNode.KnownHostsPath, IdentityFiles = [VzNode.SshKeyPath], ConfigFile = "/dev/null" };
        var fleet = Vz.Deploy.Apply.FleetLoader.Load(Path.Combine(fx.Fleet.Path, "vz.yaml"), null, "web", options);
        var ssh = new SshConnector(options);
        var seen = new ConcurrentQueue<(string Node, string Message)>();
        var warnings = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var query = new LogQuery("web", ["web-app"]) { Lines = 0 };
        var follow = new PodLogs(ssh, new Collecting(warnings)).FollowAsync(fleet.Nodes.Select(n => n.Target).ToList(), query,
            (node, entries) => { foreach (var e in entries) seen.Enqueue((node, e.Message)); }, stop.Token, TimeSpan.FromSeconds(1));

        async Task SeenAsync(string node, string mark)
        {
            var end = DateTime.UtcNow.AddSeconds(40);
            while (!seen.Any(s => s.Node == node && s.Message.Contains("url:/" + mark)) && DateTime.UtcNow < end)
                await Task.Delay(200);
            Assert.True(seen.Any(s => s.Node == node && s.Message.Contains("url:/" + mark)), $"{node} never showed {mark}; warnings: {string.Join("; ", warnings)}");
        }

        try
        {
            await Task.Delay(2000);
            var (a, b) = (Unique("fa"), Unique("fb"));
            await MarkAsync(fx.N1, a);
            await MarkAsync(fx.N2, b);
            await SeenAsync("n1", a);
            await SeenAsync("n2", b);

            // The drop: every sshd session on n1 killed (its listener stays), so the long poll's link breaks.
            await VzNode.TryRunAsync(["exec", fx.N1.Name, "pkill", "-f", "^sshd: .*@"], timeout: TimeSpan.FromSeconds(30));
            var (c, d) = (Unique("fc"), Unique("fd"));
            await MarkAsync(fx.N1, c);
            await MarkAsync(fx.N2, d);
            await SeenAsync("n2", d);
            await SeenAsync("n1", c);
            output.WriteLine($"follow: {seen.Count} entries; warnings: {string.Join(" | ", warnings)}");
            Assert.Contains(warnings, w => w.StartsWith("n1: "));
            Assert.DoesNotContain(seen.GroupBy(s => s), g => g.Count() > 1 && g.Key.Message.Contains("url:/f"));
        }
        finally
        {
            stop.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
        }
    }

    sealed class Collecting(ConcurrentQueue<string> warnings) : IReporter
    {
        public void Info(string message) { }
        public void Warn(string message) => warnings.Enqueue(message);
        public void Progress(string task, long done, long total, string? status = null) { }
    }
}
