using Vz.Deploy.Runner;
using Vz.Deploy.Transport;

namespace Vz.Deploy.Push;

/// <summary>What to push and how.</summary>
public sealed record PushOptions(string ArchivePath)
{
    /// <summary>Send an xdelta3 delta against the node's current version when that is smaller.</summary>
    public bool Delta { get; init; }
    /// <summary>Nodes pushed at once.</summary>
    public int Parallel { get; init; } = 4;
    /// <summary>Reconnects after a broken link; each retry resumes the partial upload.</summary>
    public int Retries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public string CacheDir { get; init; } = LocalImageCache.DefaultRoot;
    /// <summary>Copied to Linux x86_64 nodes without xdelta3 to apply deltas; null: those get full uploads.</summary>
    public VzpatchBinary? Vzpatch { get; init; }
    /// <summary>
    /// podman load the archive once it is verified (needs podman on the node). Off for an image only
    /// runc pods use (deploy unpacks those itself): the archive is verified and recorded all the same.
    /// </summary>
    public bool Load { get; init; } = true;

    public FleetOptions Fleet => new() { Parallel = Parallel, Retries = Retries, RetryDelay = RetryDelay };
}

/// <summary>
/// Pushes one OCI image archive to many nodes, on the <see cref="FleetRunner"/> (parallelism, retries
/// after a broken link, per-node results). What it does on one node: probe it, pick delta or full,
/// upload to a .part file (resuming what already arrived), verify sha256 on the node, rebuild and
/// verify the archive, podman load it, then record it as current. A node never loads an unverified archive.
/// </summary>
public sealed class Pusher(INodeConnector connector, IReporter reporter, IProcessRunner? processes = null)
{
    /// <summary>Per-node bookkeeping across attempts: what a failed node reports too.</summary>
    sealed class NodeRun(NodeTarget target)
    {
        public NodeTarget Target { get; } = target;
        public long BytesSent;
        public long ResumedFrom;
        public List<string> Notes { get; } = [];
    }

    public async Task<PushReport> PushAsync(PushOptions options, IReadOnlyList<NodeTarget> targets, CancellationToken ct = default)
    {
        if (targets.Count == 0)
            throw new VzException(DeployErrors.NoNodes, "no nodes to push to", "name nodes with --to HOST or -i INVENTORY --group GROUP");
        var archive = ImageArchive.Open(options.ArchivePath);
        var cache = new LocalImageCache(options.CacheDir);
        var work = Directory.CreateTempSubdirectory("vz-push-").FullName;
        using var payloads = new PayloadBuilder(archive, cache, work, processes ?? ProcessRunner.Default);
        reporter.Info($"pushing {archive.Name} sha256:{archive.Sha256[..12]} ({PushSummary.Bytes(archive.Size)}) to {targets.Count} node(s)");

        var runs = new Dictionary<NodeTarget, NodeRun>(ReferenceEqualityComparer.Instance);
        foreach (var t in targets)
            runs[t] = new NodeRun(t);
        var fleet = await new FleetRunner(connector, reporter, options.Fleet).RunAsync(targets, async (attempt, token) =>
        {
            var run = runs[attempt.Target];
            var mode = await AttemptAsync(attempt.Node, run, archive, cache, payloads, options, token);
            reporter.Progress(run.Target.Name, 1, 1, $"done ({PushSummary.ModeText(mode)})");
            return mode;
        }, ct);

        var results = fleet.Nodes.Select(o =>
        {
            var run = runs[o.Target];
            return new NodeResult(o.Node, o.Ok, o.Ok ? o.Value : PushMode.Full, run.BytesSent, run.ResumedFrom, o.Elapsed, o.Error, run.Notes)
            {
                InternalError = o.Status == StepStatus.InternalError,
            };
        }).ToList();
        if (results.Any(r => r.Ok))
            cache.Add(archive);
        return new PushReport(archive.Name, archive.Sha256, archive.Size, results);
    }

    /// <summary>
    /// One archive to one node over a transport the caller holds (deploy's per-node step pushes each
    /// image of a pod this way, on the connection it already has): exactly one push attempt, with the
    /// same checks, deltas and resumption as <see cref="PushAsync"/>. Throws as an attempt does; the
    /// caller retries. Its payloads and cache are the caller's, shared between nodes.
    /// </summary>
    public async Task<NodePush> PushOneAsync(INodeTransport node, NodeTarget target, ImageArchive archive, LocalImageCache cache,
        PayloadBuilder payloads, PushOptions options, CancellationToken ct)
    {
        var run = new NodeRun(target);
        var mode = await AttemptAsync(node, run, archive, cache, payloads, options, ct);
        return new NodePush(mode, run.BytesSent, run.Notes);
    }

    /// <summary>One attempt on one node over an open transport; throws to fail it (a TransportException to retry it).</summary>
    async Task<PushMode> AttemptAsync(INodeTransport node, NodeRun run, ImageArchive archive, LocalImageCache cache,
        PayloadBuilder payloads, PushOptions options, CancellationToken ct)
    {
        var target = run.Target;
        var probe = NodeProbe.Parse(await ExecChecked(node, NodeScripts.Probe(target.Settings.Store, archive.StoreName), "probe the node", ct));
        foreach (var tool in options.Load ? ["sha256sum", "podman"] : new[] { "sha256sum" })
            if (!probe.Has(tool))
                throw new VzException(DeployErrors.NodeLacksTool, $"node has no {tool}");
        if (probe.CurrentSha == archive.Sha256)
            return PushMode.Unchanged;

        var final = probe.ArchivePath(archive.Sha256);
        var fullMode = PushPlanner.FullMode(probe);
        // Archives reach that name only after verification; hashing again guards against a damaged disk.
        if (probe.Archives.Contains(archive.Sha256) &&
            FirstWord(await ExecChecked(node, NodeScripts.Sha256(final), "hash the archive on the node", ct)) == archive.Sha256)
        {
            Note(run, "the node already holds this verified archive (previous version, or a push cut before loading): nothing to upload");
            await LoadAndCommitAsync(node, target, probe, archive, final, options.Load, ct);
            return PushMode.Kept;
        }

        var plan = PushPlanner.DeltaCandidate(probe, archive.Sha256, options.Delta, probe.CurrentSha is { } cur && cache.Has(cur), options.Vzpatch);
        if (plan.Note is not null)
            Note(run, plan.Note);

        var mode = fullMode;
        if (plan.Try)
        {
            reporter.Progress(target.Name, 0, 0, "computing delta");
            var delta = await payloads.DeltaAsync(probe.CurrentSha!, ct);
            var extra = plan.InstallVzpatch ? options.Vzpatch!.Size : 0;
            var fullSize = PushPlanner.NeedsFullSizeToDecide(delta.Size + extra, archive.Size)
                ? (await payloads.FullAsync(fullMode, ct)).Size
                : archive.Size;
            mode = PushPlanner.Choose(delta.Size, fullSize, fullMode, extra);
            var decoder = plan.Decoder == DeltaDecoder.Vzpatch ? $"{probe.VzDir}/{options.Vzpatch!.FileName}" : null;
            if (mode != PushMode.Delta)
                Note(run, extra > 0
                    ? $"delta ({PushSummary.Bytes(delta.Size)}) plus vzpatch ({PushSummary.Bytes(extra)}) is not smaller than the full upload ({PushSummary.Bytes(fullSize)})"
                    : $"delta ({PushSummary.Bytes(delta.Size)}) is not smaller than the full upload ({PushSummary.Bytes(fullSize)})");
            else if (plan.InstallVzpatch && !await InstallVzpatchAsync(node, run, probe, options.Vzpatch!, ct))
                mode = fullMode;
            else if (!await SendAndApplyAsync(node, run, probe, archive, delta, ct, decoder))
            {
                Note(run, "delta failed verification on the node: sent the full archive instead");
                mode = fullMode;
            }
        }
        if (mode != PushMode.Delta)
        {
            // Said only when a full upload goes, so a delta push does not mention it.
            if (fullMode != PushMode.FullZstd)
                Note(run, fullMode == PushMode.FullGzip ? "node has no zstd: full upload goes gzip-compressed" : "node has no zstd or gzip: full upload goes uncompressed");
            var full = await payloads.FullAsync(fullMode, ct);
            // One fresh resend when the upload arrives corrupt; a second mismatch means a bad link or disk.
            if (!await SendAndApplyAsync(node, run, probe, archive, full, ct) &&
                !await SendAndApplyAsync(node, run, probe, archive, full, ct))
                throw new VzException(DeployErrors.UploadCorrupt, "the uploaded archive failed sha256 verification twice");
        }

        await LoadAndCommitAsync(node, target, probe, archive, final, options.Load, ct);
        return mode;
    }

    async Task LoadAndCommitAsync(INodeTransport node, NodeTarget target, NodeProbe probe, ImageArchive archive, string final, bool load, CancellationToken ct)
    {
        if (load)
        {
            reporter.Progress(target.Name, 0, 0, "podman load");
            var loaded = await node.ExecAsync(NodeScripts.Load(target.Settings, final), ct);
            if (!loaded.Ok)
                throw new VzException(DeployErrors.PodmanLoadFailed, $"podman load failed: {LastLine(loaded)}");
        }
        await ExecChecked(node, NodeScripts.Commit(probe.Dir, archive.Sha256), "record the current version", ct);
    }

    /// <summary>
    /// Copies vzpatch to STORE/.vz/vzpatch-HEX16 the way payloads go: to a .part, sha256 checked on
    /// the node, then made executable and renamed, so the probe only ever sees a verified binary.
    /// False (with a note) when the upload arrived damaged: the caller sends a full upload instead.
    /// </summary>
    async Task<bool> InstallVzpatchAsync(INodeTransport node, NodeRun run, NodeProbe probe, VzpatchBinary vzpatch, CancellationToken ct)
    {
        var final = $"{probe.VzDir}/{vzpatch.FileName}";
        // Per image store: two pushes of different images to one node never share a .part.
        var part = $"{final}.{Path.GetFileName(probe.Dir)}.part";
        await ExecChecked(node, $"mkdir -p {Sh.Quote(probe.VzDir)} && " + NodeScripts.Remove(part), "prepare the vzpatch upload", ct);
        await UploadAsync(node, run, vzpatch.LocalPath, vzpatch.Size, part, 0, "upload vzpatch", ct);
        var sha = FirstWord(await ExecChecked(node, NodeScripts.Sha256(part), "hash the vzpatch upload", ct));
        if (sha != vzpatch.Sha256)
        {
            await node.ExecAsync(NodeScripts.Remove(part), ct);
            Note(run, $"uploaded vzpatch had sha256 {Short(sha)}, expected {vzpatch.Sha256[..12]}: sent the full archive instead");
            return false;
        }
        await ExecChecked(node, NodeScripts.InstallVzpatch(part, final), "install vzpatch", ct);
        return true;
    }

    /// <summary>Uploads LOCAL from OFFSET to a node path, counting the bytes in the node's BytesSent.</summary>
    async Task UploadAsync(INodeTransport node, NodeRun run, string localPath, long size, string remotePath, long offset, string status, CancellationToken ct)
    {
        long counted = 0, reported = -1, step = Math.Max(size / 100, 64 * 1024);
        await using var src = File.OpenRead(localPath);
        src.Seek(offset, SeekOrigin.Begin);
        await node.UploadAsync(src, remotePath, offset, sent =>
        {
            Interlocked.Add(ref run.BytesSent, sent - counted);
            counted = sent;
            var done = offset + sent;
            if (done - reported >= step || done == size)
            {
                reported = done;
                reporter.Progress(run.Target.Name, done, size, status);
            }
        }, ct);
    }

    /// <summary>
    /// Uploads a payload to NAME/.incoming (resuming a verified prefix), checks its sha256, rebuilds
    /// the archive from it (a delta with xdelta3, or with vzpatch at <paramref name="vzpatch"/> when given)
    /// and checks that too, then moves it into place. False when a hash did not match.
    /// </summary>
    async Task<bool> SendAndApplyAsync(INodeTransport node, NodeRun run, NodeProbe probe, ImageArchive archive, Payload payload, CancellationToken ct,
        string? vzpatch = null)
    {
        var name = run.Target.Name;
        var inc = $"{probe.Dir}/.incoming";
        var part = payload.Mode switch
        {
            PushMode.Delta => $"{inc}/{archive.Sha256}.from-{payload.BaseSha![..12]}.vcdiff.part",
            PushMode.FullZstd => $"{inc}/{archive.Sha256}.tar.zst.part",
            PushMode.FullGzip => $"{inc}/{archive.Sha256}.tar.gz.part",
            _ => $"{inc}/{archive.Sha256}.tar.part",
        };

        var state = (await ExecChecked(node, NodeScripts.PartState(part), "inspect the partial upload", ct)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var offset = state.Length >= 2 && long.TryParse(state[0], out var have)
            ? PushPlanner.ResumeOffset(have, state[1], payload.Size, n => ImageArchive.PrefixSha256(payload.LocalPath, n))
            : 0;
        if (offset > 0)
        {
            run.ResumedFrom = Math.Max(run.ResumedFrom, offset);
            Note(run, $"resumed {PushSummary.ModeText(payload.Mode)} upload at {PushSummary.Bytes(offset)} of {PushSummary.Bytes(payload.Size)}");
        }
        if (offset < payload.Size)
            await UploadAsync(node, run, payload.LocalPath, payload.Size, part, offset, $"upload {PushSummary.ModeText(payload.Mode)}", ct);

        reporter.Progress(name, 0, 0, "verify");
        var remoteSha = FirstWord(await ExecChecked(node, NodeScripts.Sha256(part), "hash the upload", ct));
        if (remoteSha != payload.Sha256)
        {
            await node.ExecAsync(NodeScripts.Remove(part), ct);
            Note(run, $"uploaded {PushSummary.ModeText(payload.Mode)} payload had sha256 {Short(remoteSha)}, expected {payload.Sha256[..12]}");
            return false;
        }

        var final = probe.ArchivePath(archive.Sha256);
        if (payload.Mode == PushMode.Full)
        {
            // The payload is the archive itself and was just verified.
            await ExecChecked(node, NodeScripts.Move(part, final), "move the archive into place", ct);
            return true;
        }
        var decoded = $"{inc}/{archive.Sha256}.decoded.part";
        var baseArchive = probe.ArchivePath(payload.BaseSha ?? "");
        var apply = payload.Mode != PushMode.Delta ? NodeScripts.Decompress(payload.Mode, part, decoded)
            : vzpatch is null ? NodeScripts.ApplyDelta(baseArchive, part, decoded)
            : NodeScripts.ApplyDeltaWithVzpatch(vzpatch, baseArchive, part, decoded);
        var tool = payload.Mode != PushMode.Delta ? (payload.Mode == PushMode.FullGzip ? "gzip" : "zstd") : vzpatch is null ? "xdelta3" : "vzpatch";
        reporter.Progress(name, 0, 0, payload.Mode == PushMode.Delta ? "apply delta" : "decompress");
        var applied = await node.ExecAsync(apply, ct);
        var sha = applied.Ok ? FirstWord(await ExecChecked(node, NodeScripts.Sha256(decoded), "hash the rebuilt archive", ct)) : "";
        if (sha != archive.Sha256)
        {
            // A vzpatch that could not run (not 4/5/6: bad delta, unsupported, wrong source) is removed
            // so the next push copies it again instead of failing the same way forever.
            var dropVzpatch = vzpatch is not null && !applied.Ok && !PushPlanner.IsDeltaProblem(applied.ExitCode);
            await node.ExecAsync(dropVzpatch ? NodeScripts.Remove(part, decoded, vzpatch!) : NodeScripts.Remove(part, decoded), ct);
            Note(run, applied.Ok
                ? $"rebuilt archive had sha256 {Short(sha)}, expected {archive.Sha256[..12]}"
                : $"{tool} failed on the node (exit {applied.ExitCode}): {LastLine(applied)}" + (dropVzpatch ? "; removed it there, the next delta push copies it again" : ""));
            return false;
        }
        await ExecChecked(node, NodeScripts.Move(decoded, final) + "; " + NodeScripts.Remove(part), "move the archive into place", ct);
        return true;
    }

    void Note(NodeRun run, string note)
    {
        lock (run.Notes)
            run.Notes.Add(note);
        reporter.Info($"{run.Target.Name}: {note}");
    }

    static async Task<string> ExecChecked(INodeTransport node, string command, string doing, CancellationToken ct)
    {
        var r = await node.ExecAsync(command, ct);
        if (!r.Ok)
            throw new VzException(DeployErrors.NodeCommandFailed, $"{doing}: exit {r.ExitCode}: {LastLine(r)}");
        return r.StdOut;
    }

    static string FirstWord(string s) => s.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    static string Short(string sha) => sha.Length >= 12 ? sha[..12] : sha.Length == 0 ? "(none)" : sha;

    static string LastLine(ProcessResult r) =>
        (r.StdErr.Trim().Length > 0 ? r.StdErr : r.StdOut).Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}
