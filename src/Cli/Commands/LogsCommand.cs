using System.CommandLine;
using Vz.Cli.Help;
using Vz.Cli.Json;
using Vz.Deploy.Apply;
using Vz.Deploy.Drift;
using Vz.Deploy.Fleet;
using Vz.Deploy.Runner;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Deploy.View;

namespace Vz.Cli.Commands;

/// <summary>
/// vzbuild logs POD [--node N] [--since T] [-n N] [-f] [-c vz.yaml]
/// vzbuild logs --download DIR [--unit U]... [--node N] [--group G] [-c vz.yaml]
/// </summary>
internal static class LogsCommand
{
    public static VzCommand Create()
    {
        var args = FleetViewArgs.Create("Read");
        var pod = new Argument<string?>("pod") { Description = "The pod whose containers' output to show (not with --download)", Arity = ArgumentArity.ZeroOrOne };
        var node = new Option<string?>("--node") { Description = "Only this node, as the inventory names it", HelpName = "node" };
        var since = new Option<string?>("--since") { Description = "From this long ago (10m, 2h) or this time (\"2025-01-02 03:04:05\", today; the node's clock)", HelpName = "time" };
        var lines = new Option<int?>("--lines", "-n") { Description = "The last N lines of all nodes together (with -f: per node, default 10)", HelpName = "n" }.AtLeast(0);
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep showing new lines from every node until Ctrl-C; a node that drops is reconnected" };
        var download = new Option<string?>("--download") { Description = "Append each node's journal to DIR/NODE.log from where the last download stopped", HelpName = "dir" };
        var units = new Option<string[]>("--unit") { Description = "With --download: only these systemd units, e.g. vz-web.service (repeatable)", HelpName = "unit" };
        var cmd = new VzCommand("logs", "Show a pod's output from every node in time order",
            "Show a pod's containers' stdout and stderr from the journal of every node that runs it, in time order (the nodes' clocks), " +
            "each line prefixed with its node; -f follows every node at once. With --download DIR, append each node's whole journal " +
            "(or these units') to DIR/NODE.log from where the last download stopped.")
        {
            Examples =
            [
                new("vzbuild logs web -n 20"),
                new("vzbuild logs web --node n1 --since 10m -f"),
                new("vzbuild logs --download logs/ --unit vz-web.service", "a second run fetches only what is new"),
                new("vzbuild logs web -f --json | jq -r 'select(.stream == \"stderr\") | .message'", "a JSON line per entry"),
            ],
        };
        cmd.Arguments.Add(pod);
        args.AddTo(cmd);
        foreach (var o in new Option[] { node, since, lines, follow, download, units })
            cmd.Options.Add(o);
        // Which words go together is the command line's shape: a wrong mix is a usage error (exit 2), nothing read.
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(download) is not null)
            {
                if (r.GetValue(pod) is not null || r.GetValue(follow) || r.GetValue(since) is not null || r.GetResult(lines) is not null)
                    r.AddError("--download takes no POD, -f, --since or -n: it appends everything new to DIR/NODE.log");
            }
            else if (r.GetValue(pod) is null)
                r.AddError("name the pod: vzbuild logs POD (or --download DIR for whole journals)");
            else if (r.GetValue(units) is { Length: > 0 })
                r.AddError("--unit goes with --download; a pod's logs are its containers'");
        });
        CommandAction.Set(cmd, async (parse, ct) =>
        {
            var reporter = new Quiet(CommandAction.Reporter);
            var json = parse.GetValue(args.Json);
            var connector = new SshConnector(args.SshOptions(parse));
            if (parse.GetValue(download) is { } dir)
            {
                var fleet = args.Load(parse);
                return await DownloadAsync(Nodes(fleet, parse.GetValue(node), null), dir, parse.GetValue(units) ?? [], args.Fleet(parse), connector, reporter, json, Console.Out, ct);
            }
            var name = parse.GetValue(pod)!;
            var loaded = args.Load(parse, name);
            var query = new LogQuery(name, DesiredPod.ContainerNames(loaded.Fleet.ManifestOf(name))) { Lines = parse.GetValue(lines), Since = Since(parse.GetValue(since)) };
            var targets = Nodes(loaded, parse.GetValue(node), name);
            if (parse.GetValue(follow))
            {
                var width = targets.Max(t => t.Name.Length);
                var gate = new Lock();
                await new PodLogs(connector, reporter).FollowAsync(targets, query, (n, entries) =>
                {
                    lock (gate)
                    {
                        foreach (var e in entries)
                            foreach (var line in Lines(n, width, e, json))
                                Console.Out.WriteLine(line);
                        Console.Out.Flush();
                    }
                }, ct);
                return ExitCodes.Ok;
            }
            return await ReadAsync(targets, query, args.Fleet(parse), connector, reporter, json, Console.Out, Console.Error, ct);
        });
        return cmd;
    }

    /// <summary>A duration becomes journalctl's relative time ("-600s"); anything else goes to journalctl as it is.</summary>
    internal static string? Since(string? text) => text is null ? null
        : Duration.Parse(text) is { } d ? $"-{(long)Math.Ceiling(d.TotalSeconds)}s"
        : text.Any(char.IsControl) ? throw new VzException(ViewErrors.BadArgument, "--since holds a control character")
        : text;

    /// <summary>The nodes that run the pod (every chosen node for a download), narrowed to --node.</summary>
    internal static IReadOnlyList<NodeTarget> Nodes(LoadedFleet fleet, string? node, string? pod)
    {
        var nodes = fleet.Nodes.Where(n => pod is null || n.Pods.Contains(pod)).ToList();
        if (node is null)
            return nodes.Select(n => n.Target).ToList();
        var one = nodes.FirstOrDefault(n => n.Name == node)
            ?? throw new VzException(ViewErrors.NoSuchNode, $"--node {node}: {(pod is null ? "the fleet has no such node" : $"no node of that name runs {pod}")}",
                $"nodes: {string.Join(", ", nodes.Select(n => n.Name))}");
        return [one.Target];
    }

    /// <summary>An entry as its lines ("n1  2025-... web-app: message"), or as one JSON line with --json.</summary>
    static IEnumerable<string> Lines(string node, int width, JournalEntry e, bool json) =>
        json ? [FleetJson.LogLine(node, e)] : Journal.Format(node, width, e);

    internal static async Task<int> ReadAsync(IReadOnlyList<NodeTarget> targets, LogQuery query, FleetOptions options, INodeConnector connector, IReporter reporter,
        bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var report = await new PodLogs(connector, reporter).ReadAsync(targets, query, options, ct);
        var width = targets.Max(t => t.Name.Length);
        foreach (var (n, e) in report.Merged)
            foreach (var line in Lines(n, width, e, json))
                stdout.WriteLine(line);
        foreach (var n in report.Nodes.Where(n => n.Error is not null))
            stderr.WriteLine($"{n.Node}: {(n.Unreachable ? "unreachable" : "not read")}: {n.Error}");
        return ExitCodes.ForFleet(report.Nodes.Count - report.Failed, report.Failed, report.InternalErrors);
    }

    internal static async Task<int> DownloadAsync(IReadOnlyList<NodeTarget> targets, string dir, IReadOnlyList<string> units, FleetOptions options,
        INodeConnector connector, IReporter reporter, bool json, TextWriter stdout, CancellationToken ct)
    {
        if (units.Any(u => u.Length == 0 || u.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
            throw new VzException(ViewErrors.BadArgument, "--unit takes a unit name such as vz-web.service");
        var report = await new PodLogs(connector, reporter).DownloadAsync(targets, dir, units, options, ct);
        var exit = ExitCodes.ForFleet(report.Nodes.Count - report.Failed, report.Failed, report.InternalErrors);
        if (json)
        {
            stdout.Write(FleetJson.Download(report, dir, exit) + "\n");
            return exit;
        }
        stdout.Write(FleetTable.Render(["NODE", "LINES", "BYTES", "FILE", "NOTE"], report.Nodes.Select(n => new[]
        {
            n.Node, n.Error is null ? n.Lines.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-", n.Error is null ? Vz.Deploy.Push.PushSummary.Bytes(n.Bytes) : "-",
            Path.Combine(dir, n.Node + ".log"),
            n.Error is not null ? (n.Unreachable ? "unreachable: " : "failed: ") + n.Error
                : n.State == CursorState.Lost ? "the journal lost the saved cursor (wiped or rotated): a new section began"
                : n.State == CursorState.New ? "first download" : "",
        })));
        return exit;
    }

    /// <summary>Progress lines would interleave with the log lines on a terminal: logs says only what goes wrong.</summary>
    sealed class Quiet(IReporter inner) : IReporter
    {
        public void Info(string message) => inner.Info(message);
        public void Warn(string message) => inner.Warn(message);
        public void Progress(string task, long done, long total, string? status = null) { }
    }
}
