using Vz.Deploy.View;

namespace Vz.Deploy.Tests.View;

public class JournalTests
{
    static JournalEntry Entry(long second, string cursor, string message = "m") =>
        new(DateTimeOffset.FromUnixTimeSeconds(second), cursor, "web-app", message);

    [Fact]
    public void ThePodsEntriesParseWithTheSendersTimeAndTheNodesClock()
    {
        var (entries, now) = Journal.Parse(ViewFixtures.Text("logs.n1.json"));
        Assert.Equal(1796073036L, now);
        Assert.Equal(4, entries.Count);
        Assert.All(entries, e => Assert.Equal("web-app", e.Source));
        Assert.Equal("[::ffff:10.231.3.1]:51268: url:/", entries[0].Message);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(1796072955121191L * 10), entries[0].Time);
        Assert.Equal(3, entries[0].Priority);
        Assert.StartsWith("s=331a26320a8144dfa5c6d1dc6fdb2e1e;i=3f9;", entries[0].Cursor);
    }

    [Fact]
    public void AMessageThatIsNotUtf8ComesAsBytesAndACutLineIsSkipped()
    {
        var output = "{\"__CURSOR\":\"c1\",\"__REALTIME_TIMESTAMP\":\"1000000\",\"CONTAINER_NAME\":\"web-app\",\"MESSAGE\":[104,105,10]}\n{\"__CURSOR\":\"c2\",\"__REALT";
        var e = Assert.Single(Journal.Parse(output).Entries);
        Assert.Equal(("hi", "c1", DateTimeOffset.UnixEpoch.AddSeconds(1)), (e.Message, e.Cursor, e.Time));
    }

    [Fact]
    public void TwoNodesMergeInTimeOrderAndEachLineNamesItsNode()
    {
        var n1 = Journal.Parse(ViewFixtures.Text("logs.n1.json")).Entries;
        var n2 = Journal.Parse(ViewFixtures.Text("logs.n2.json")).Entries;
        var merged = Journal.Merge([("n1", n1), ("n2", n2)]);
        Assert.Equal(8, merged.Count);
        Assert.Equal(merged.Select(m => m.Entry.Time).Order(), merged.Select(m => m.Entry.Time));
        Assert.Equal(["n1", "n2"], merged.Select(m => m.Node).Distinct().Order());
        var line = Assert.Single(Journal.Format("n1", 4, n1[0]));
        Assert.Matches(@"^n1    2026-11-30T\d\d:\d\d:\d\d\.\d{3}Z web-app: \[::ffff:10\.231\.3\.1\]:51268: url:/$", line);
    }

    [Fact]
    public void EqualTimesKeepTheNodesOrderAndAMultiLineMessageIsOneLineEach()
    {
        var merged = Journal.Merge([("a", [Entry(5, "a1"), Entry(6, "a2")]), ("b", [Entry(5, "b1")])]);
        Assert.Equal(["a1", "b1", "a2"], merged.Select(m => m.Entry.Cursor));
        Assert.Equal(["n  1970-01-01T00:00:05.000Z web-app: one", "n  1970-01-01T00:00:05.000Z web-app: two"], Journal.Format("n", 1, Entry(5, "c", "one\ntwo")));
    }

    [Fact]
    public void FollowingGoesOnFromTheCursorWithoutShowingItsEntryAgain()
    {
        var script = Journal.Wait(["web-app"], "s=1;i=2", 0, 10);
        Assert.Contains("--cursor 's=1;i=2'", script);
        Assert.DoesNotContain("--after-cursor", script);
        Assert.Equal(["b", "c"], Journal.After([Entry(1, "a"), Entry(2, "b"), Entry(3, "c")], "a").Select(e => e.Cursor));
        // A cursor the journal lost: journalctl starts elsewhere, and nothing is dropped.
        Assert.Equal(["b", "c"], Journal.After([Entry(2, "b"), Entry(3, "c")], "a").Select(e => e.Cursor));
        Assert.Contains("--since @1700000000", Journal.Wait(["web-app"], null, 1700000000, 10));
    }

    [Fact]
    public void AReadAsksForThePodsContainersOnly()
    {
        var script = Journal.Read(["web-app", "web-sidecar"], 20, "-600s");
        Assert.Contains(" CONTAINER_NAME=web-app CONTAINER_NAME=web-sidecar", script);
        Assert.Contains(" -n 20", script);
        Assert.Contains("--since -600s", script);
    }
}

public class JournalDownloadTests
{
    [Fact]
    public void AFirstDownloadIsTheWholeJournalInSyslogLines()
    {
        var (state, entries) = JournalDownload.Parse(ViewFixtures.Text("download.debian-12.json"), null);
        Assert.Equal(CursorState.New, state);
        Assert.Equal(6, entries.Count);
        var line = JournalDownload.Lines(entries[0]).Single();
        Assert.Matches(@"^2026-11-30T\d\d:\d\d:\d\d\.\d{6}\+00:00 fvx-1 [^ ]+\[\d+\]: ", line);
    }

    [Fact]
    public void AFoundCursorsOwnEntryIsNotWrittenTwice()
    {
        var output = "vz-cursor=found\n" +
            "{\"__CURSOR\":\"c1\",\"__REALTIME_TIMESTAMP\":\"1000000\",\"MESSAGE\":\"old\",\"SYSLOG_IDENTIFIER\":\"x\"}\n" +
            "{\"__CURSOR\":\"c2\",\"__REALTIME_TIMESTAMP\":\"2000000\",\"MESSAGE\":\"new\",\"SYSLOG_IDENTIFIER\":\"x\",\"_PID\":\"7\",\"_HOSTNAME\":\"h\"}\n";
        var (state, entries) = JournalDownload.Parse(output, "c1");
        Assert.Equal(CursorState.Found, state);
        Assert.Equal(["1970-01-01T00:00:02.000000+00:00 h x[7]: new"], entries.SelectMany(JournalDownload.Lines));
    }

    [Fact]
    public void ALostCursorKeepsEveryEntryAndIsSaidInTheFile()
    {
        var (state, entries) = JournalDownload.Parse("vz-cursor=lost\n{\"__CURSOR\":\"c9\",\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"m\"}\n", "c1");
        Assert.Equal((CursorState.Lost, 1), (state, entries.Count));
        var note = JournalDownload.LostNote("n1", "c1", DateTimeOffset.UnixEpoch);
        Assert.StartsWith("-- vz 1970-01-01T00:00:00Z: n1's journal no longer holds the last entry downloaded before (c1)", note);
    }

    [Fact]
    public void TheScriptChecksTheCursorBeforeReadingFromIt()
    {
        var script = JournalDownload.Script("s=1;i=2", ["vz-web.service"]);
        Assert.Contains("--cursor \"$c\" 2>/dev/null | head -n 1 | grep -qF", script);
        Assert.Contains("-u vz-web.service --cursor \"$c\"", script);
        Assert.DoesNotContain("--after-cursor", script);
        Assert.DoesNotContain("grep -qF", JournalDownload.Script(null, []));
    }

    [Fact]
    public void AMultiLineMessageIsIndentedUnderItsFirstLine()
    {
        var e = new JournalEntry(DateTimeOffset.UnixEpoch, "c", "x", "a\nb") { Host = "h", Identifier = "x" };
        var lines = JournalDownload.Lines(e).ToList();
        Assert.Equal("1970-01-01T00:00:00.000000+00:00 h x: a", lines[0]);
        Assert.Equal(new string(' ', lines[0].Length - 1) + "b", lines[1]);
    }

    [Fact]
    public void TheCursorFileRoundTrips()
    {
        var c = new DownloadCursor("s=1;i=2;x=3", 4096);
        Assert.Equal(c, DownloadCursor.Parse(c.Render()));
        Assert.Null(DownloadCursor.Parse("cursor=s=1\n"));
    }
}
