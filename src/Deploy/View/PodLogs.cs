using System.Text;
using Vz.Deploy.Apply;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.View;

/// <summary>What to show of a pod's logs: its containers' journal names, how many lines, from when.</summary>
public sealed record LogQuery(string Pod, IReadOnlyList<string> Containers)
{
    /// <summary>The last N entries (of all nodes together); null: all.</summary>
    public int? Lines { get; init; }
    /// <summary>A journalctl time ("-600s", "2025-01-02 03:04:05", "today"); null: from the start.</summary>
    public string? Since { get; init; }
}

/// <summary>One node's part of a logs read: its entries, or why it could not be read.</summary>
public sealed record NodeLog(string Node, IReadOnlyList<JournalEntry> Entries)
{
    public string? Error { get; init; }
    public bool Unreachable { get; init; }
    public bool InternalError { get; init; }
}

/// <summary>A logs read: every node's entries in one time order, and the nodes that could not be read.</summary>
public sealed record LogsReport(IReadOnlyList<NodeLog> Nodes, IReadOnlyList<(string Node, JournalEntry Entry)> Merged)
{
    public int Failed => Nodes.Count(n => n.Error is not null);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
}

/// <summary>One node's part of a download: lines added to DIR/NODE.log, and whether a new section began.</summary>
public sealed record DownloadedNode(string Node, TimeSpan Elapsed)
{
    public int Lines { get; init; }
    public long Bytes { get; init; }
    public CursorState State { get; init; }
    public string? Error { get; init; }
    public bool Unreachable { get; init; }
    public bool InternalError { get; init; }
}

public sealed record DownloadReport(IReadOnlyList<DownloadedNode> Nodes)
{
    public int Failed => Nodes.Count(n => n.Error is not null);
    public int InternalErrors => Nodes.Count(n => n.InternalError);
}

/// <summary>
/// vzbuild logs: a pod's stdout and stderr from every node that runs it, read from the nodes'
/// journals at once and merged in time order (each node's clock: keep them in sync), or followed
/// on all nodes at once; and vzbuild logs --download, each node's journal appended to a local file
/// from where the last download stopped.
/// </summary>
public sealed class PodLogs(INodeConnector connector, IReporter reporter)
{
    /// <summary>The entries of the pod on each node, merged; with Lines, the last Lines of all of them.</summary>
    public async Task<LogsReport> ReadAsync(IReadOnlyList<NodeTarget> nodes, LogQuery query, FleetOptions options, CancellationToken ct = default)
    {
        var watch = new LinkWatch(connector);
        var result = await new FleetRunner(watch, reporter, options).RunAsync(nodes, (a, token) => watch.Watch(a.Target.Name, async () =>
        {
            var output = await new NodeShell(a.Node, a.Target.Name).CheckedAsync(Journal.Read(query.Containers, query.Lines, query.Since), $"read the journal of {query.Pod}", token);
            reporter.Progress(a.Target.Name, 1, 1, "read");
            return Journal.Parse(output).Entries;
        }), ct);
        var logs = result.Nodes.Select(o => o.Ok ? new NodeLog(o.Node, o.Value!)
            : new NodeLog(o.Node, []) { Error = o.Error, Unreachable = watch.Lost(o.Node), InternalError = o.Status == StepStatus.InternalError }).ToList();
        var merged = Journal.Merge(logs.Select(l => (l.Node, l.Entries)));
        if (query.Lines is { } n && merged.Count > n)
            merged = merged.Skip(merged.Count - n).ToList();
        return new LogsReport(logs, merged);
    }

    /// <summary>
    /// Follows the pod on every node at once until cancelled: first each node's last Lines entries,
    /// then what comes, node by node as it arrives (a long poll on each node; nothing of vz stays
    /// running there). A node that drops is reconnected every few seconds and goes on from the
    /// cursor of the last entry shown: nothing is shown twice, nothing is skipped that the node's
    /// journal still holds.
    /// </summary>
    public async Task FollowAsync(IReadOnlyList<NodeTarget> nodes, LogQuery query, Action<string, IReadOnlyList<JournalEntry>> show, CancellationToken ct,
        TimeSpan? reconnectDelay = null)
    {
        var delay = reconnectDelay ?? TimeSpan.FromSeconds(3);
        await Task.WhenAll(nodes.Select(node => FollowNodeAsync(node, query, show, delay, ct)));
    }

    async Task FollowNodeAsync(NodeTarget node, LogQuery query, Action<string, IReadOnlyList<JournalEntry>> show, TimeSpan delay, CancellationToken ct)
    {
        string? cursor = null;
        long? since = null;
        var down = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await using var link = await connector.ConnectAsync(node, ct);
                var shell = new NodeShell(link, node.Name);
                if (down)
                    reporter.Warn($"{node.Name}: reconnected; going on from the last entry shown");
                down = false;
                if (since is null)
                {
                    var (first, now) = Journal.Parse(await shell.CheckedAsync(Journal.Read(query.Containers, query.Lines ?? 10, query.Since), $"read the journal of {query.Pod}", ct));
                    since = now ?? 0;
                    cursor = first.LastOrDefault()?.Cursor;
                    if (first.Count > 0)
                        show(node.Name, first);
                }
                while (true)
                {
                    var (read, _) = Journal.Parse(await shell.CheckedAsync(Journal.Wait(query.Containers, cursor, since.Value, 10), $"follow the journal of {query.Pod}", ct));
                    var more = Journal.After(read, cursor);
                    if (more.Count == 0)
                        continue;
                    cursor = more[^1].Cursor;
                    show(node.Name, more);
                }
            }
            catch (VzException e) when (!ct.IsCancellationRequested)
            {
                // A broken link (or a node that failed a read) is tried again: a follow ends only when the operator stops it.
                if (!down)
                    reporter.Warn($"{node.Name}: {e.Message} ({e.Code}); trying again every {delay.TotalSeconds:0}s");
                down = true;
                await Task.Delay(delay, ct);
            }
        }
    }

    /// <summary>
    /// Appends each node's journal (or the given units' entries) to DIR/NODE.log from the cursor saved
    /// in DIR/.NODE.cursor, which also records the log's size after the last whole download: a run
    /// that died between appending and saving its cursor left a tail the next run cuts before it
    /// fetches the same entries again, so nothing is ever in the file twice.
    /// </summary>
    public async Task<DownloadReport> DownloadAsync(IReadOnlyList<NodeTarget> nodes, string dir, IReadOnlyList<string> units, FleetOptions options, CancellationToken ct = default)
    {
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VzException(ViewErrors.DownloadDir, $"{dir}: cannot create the download directory: {e.Message}");
        }
        var watch = new LinkWatch(connector);
        var result = await new FleetRunner(watch, reporter, options).RunAsync(nodes, (a, token) => watch.Watch(a.Target.Name, async () =>
        {
            var files = new DownloadFiles(dir, a.Target.Name);
            var saved = files.Prepare();
            var output = await new NodeShell(a.Node, a.Target.Name).CheckedAsync(JournalDownload.Script(saved?.Cursor, units), "read the journal", token);
            var (state, entries) = JournalDownload.Parse(output, saved?.Cursor);
            var text = new StringBuilder();
            if (state == CursorState.Lost)
                text.Append(JournalDownload.LostNote(a.Target.Name, saved!.Cursor, DateTimeOffset.UtcNow)).Append('\n');
            var lines = 0;
            foreach (var line in entries.SelectMany(JournalDownload.Lines))
            {
                text.Append(line).Append('\n');
                lines++;
            }
            // A lost cursor with nothing new is forgotten, so the next run starts a section of its own rather than noting the loss again.
            var cursor = entries.Count > 0 ? entries[^1].Cursor : state == CursorState.Lost ? "" : saved?.Cursor ?? "";
            var bytes = files.Append(text.ToString(), cursor);
            reporter.Progress(a.Target.Name, 1, 1, $"{lines} line(s)");
            return new DownloadedNode(a.Target.Name, TimeSpan.Zero) { Lines = lines, Bytes = bytes, State = state };
        }), ct);
        return new DownloadReport(result.Nodes.Select(o => o.Ok ? o.Value! with { Elapsed = o.Elapsed }
            : new DownloadedNode(o.Node, o.Elapsed) { Error = o.Error, Unreachable = watch.Lost(o.Node), InternalError = o.Status == StepStatus.InternalError }).ToList());
    }

    /// <summary>DIR/NODE.log and DIR/.NODE.cursor.</summary>
    sealed class DownloadFiles(string dir, string node)
    {
        public string Log { get; } = Path.Combine(dir, node + ".log");
        public string Cursor { get; } = Path.Combine(dir, "." + node + ".cursor");

        /// <summary>Reads the saved cursor and cuts the log back to the size saved with it (to nothing when there is none).</summary>
        public DownloadCursor? Prepare()
        {
            try
            {
                var saved = File.Exists(Cursor) ? DownloadCursor.Parse(File.ReadAllText(Cursor)) : null;
                if (File.Exists(Log))
                {
                    using var log = new FileStream(Log, FileMode.Open, FileAccess.Write);
                    if (log.Length > (saved?.Size ?? 0))
                        log.SetLength(saved?.Size ?? 0);
                }
                return saved is { Cursor.Length: > 0 } ? saved : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VzException(ViewErrors.DownloadDir, $"{Log}: {e.Message}");
            }
        }

        /// <summary>Appends the text (flushed to disk), then saves the cursor with the log's new size. Returns the bytes appended.</summary>
        public long Append(string text, string cursor)
        {
            try
            {
                long size;
                var bytes = Encoding.UTF8.GetBytes(text);
                using (var log = new FileStream(Log, FileMode.Append, FileAccess.Write))
                {
                    log.Write(bytes);
                    log.Flush(flushToDisk: true);
                    size = log.Length;
                }
                var tmp = Cursor + ".tmp";
                File.WriteAllText(tmp, new DownloadCursor(cursor, size).Render());
                File.Move(tmp, Cursor, overwrite: true);
                return bytes.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VzException(ViewErrors.DownloadDir, $"{Log}: {e.Message}");
            }
        }
    }
}
