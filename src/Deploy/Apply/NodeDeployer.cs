using System.Security.Cryptography;
using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Pods;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;
using Vz.Deploy.Transport;
using Vz.Deploy.Units;

namespace Vz.Deploy.Apply;

/// <summary>
/// Deploy on one node, in the model's order (src/Deploy/README.md "Deploy on one node"): probe,
/// lock, images, files, then per changed pod arm the dead-man, switch, check health, confirm or
/// roll back at once; then the firewall, and unlock. Each attempt starts by reading the node again,
/// so an attempt after a broken link goes on from what the node holds (its own lock, a pending
/// switch) rather than from what the last attempt believed. Nothing of vz keeps running on the
/// node but the dead-man timer between a switch and its confirmation.
/// </summary>
public sealed partial class NodeDeployer(LoadedFleet fleet, DeployInputs inputs, DeployOptions options, IReporter reporter, IProcessRunner? processes = null)
{
    /// <summary>The lock's token: one per deploy, so an attempt after a broken link takes its own lock again.</summary>
    public string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Per-node bookkeeping across attempts: what a node that failed still reports.</summary>
    public sealed class NodeRun(NodeWork work)
    {
        public NodeWork Work { get; } = work;
        public long BytesSent;
        /// <summary>Some pod was switched: from here on, a lost link leaves the node to its dead-man.</summary>
        public bool Switched;
        /// <summary>The last attempt ended on a broken link.</summary>
        public bool LinkLost;
        public string? Firewall;
        public Dictionary<string, PodResult> Pods { get; } = new(StringComparer.Ordinal);
        public List<string> Notes { get; } = [];
        /// <summary>Archives now current on the node (for the master's delta cache).</summary>
        public HashSet<string> Pushed { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Reads a node without changing it: facts, plans, pods, vz's firewall ports, desired releases.</summary>
    public async Task<NodeSurvey> SurveyAsync(NodeShell shell, NodeWork node, CancellationToken ct)
    {
        var facts = NodeFacts.Parse(await shell.CheckedAsync(NodeFacts.Probe, "probe the node", ct), node.Name);
        var plans = Surveys.Plans(fleet, node, facts);
        var survey = await ReadAsync(shell, node, facts, plans, ct);
        // A node too small for its pods is refused here, before its lock is taken or anything is sent.
        MemoryNotes(node, survey, node.Pods.Where(p => !survey.Converged(p)).ToList());
        return survey;
    }

    async Task<NodeSurvey> ReadAsync(NodeShell shell, NodeWork node, NodeFacts facts, IReadOnlyDictionary<string, PlatformPlan> plans, CancellationToken ct)
    {
        var layout = NodeLayout.For(facts, node.Target.Settings);
        var status = NodeStatus.Parse(node.Name, await shell.CheckedAsync(NodeStatus.Script(layout, Surveys.Queries(fleet, plans)), "read the pods' state", ct));
        var fw = plans.Values.First();
        var opened = fw.Firewall == FirewallBackend.None || fw.FirewallAccess == FirewallAccess.None
            ? new SortedSet<FirewallPort>()
            : FirewallPlan.ParseOpened(fw.Firewall, await shell.CheckedAsync(FirewallPlan.ListScript(fw.Firewall, fw.FirewallAccess), "read vz's firewall ports", ct));
        return Surveys.Make(fleet, node, facts, plans, status, opened, inputs, options.Who, DateTimeOffset.UtcNow);
    }

    /// <summary>One attempt of the whole deploy on one node. Throws to fail it (a TransportException to retry it).</summary>
    public Task<NodeOutcome> DeployAsync(NodeAttempt attempt, NodeRun run, CancellationToken ct) =>
        LockedAsync(attempt, run, "deploy", (shell, facts, plans, layout) => UnderLockAsync(shell, run.Work, run, facts, plans, layout, ct), ct);

    /// <summary>Probes the node, takes its deploy lock for <paramref name="verb"/>, runs the work under it and releases it.</summary>
    async Task<NodeOutcome> LockedAsync(NodeAttempt attempt, NodeRun run, string verb,
        Func<NodeShell, NodeFacts, IReadOnlyDictionary<string, PlatformPlan>, NodeLayout, Task<NodeOutcome>> work, CancellationToken ct)
    {
        var node = run.Work;
        var name = node.Name;
        var shell = new NodeShell(attempt.Node, name);
        run.LinkLost = false;
        try
        {
            Stage(name, "probe");
            var facts = NodeFacts.Parse(await shell.CheckedAsync(NodeFacts.Probe, "probe the node", ct), name);
            var plans = Surveys.Plans(fleet, node, facts);
            var layout = NodeLayout.For(facts, node.Target.Settings);

            Stage(name, "lock");
            var wait = options.LockWait ?? fleet.File.Rollout.LockWait;
            var owner = new LockOwner(Token, options.Who, DateTimeOffset.UtcNow, $"{verb} {string.Join(",", node.Pods)}");
            var lockRun = await shell.RunAsync(PodScripts.LockTake(layout, owner, (int)Math.Ceiling(wait.TotalSeconds)), wait + NodeShell.Quick, ct);
            if (lockRun.ExitCode == PodScripts.LockHeld)
            {
                var holder = LockOwner.Parse(lockRun.StdOut.Replace("held-by\n", ""));
                // The way out goes in the message: the fleet report shows messages, not hints.
                throw new VzException(PodErrors.LockHeld,
                    $"another deploy holds the node's lock: {holder?.Describe() ?? "(its owner file is empty)"}; waited {Fleet.Duration.Text(wait)}; if that deploy is gone: vzbuild lock release {name}");
            }
            if (!lockRun.Ok)
                throw new VzException(DeployErrors.NodeCommandFailed, $"take the deploy lock: exit {lockRun.ExitCode}: {NodeShell.LastLine(lockRun)}");
            try
            {
                var outcome = await work(shell, facts, plans, layout);
                await shell.RunAsync(PodScripts.LockRelease(layout, Token), NodeShell.Quick, ct);
                return outcome;
            }
            catch (Exception e) when (e is not TransportException and not OperationCanceledException)
            {
                // Best effort: the node answers, so the next deploy should not have to break the lock.
                try { await shell.RunAsync(PodScripts.LockRelease(layout, Token), NodeShell.Quick, ct); }
                catch (TransportException) { }
                throw;
            }
        }
        catch (TransportException)
        {
            run.LinkLost = true;
            throw;
        }
    }

    async Task<NodeOutcome> UnderLockAsync(NodeShell shell, NodeWork node, NodeRun run, NodeFacts facts,
        IReadOnlyDictionary<string, PlatformPlan> plans, NodeLayout layout, CancellationToken ct)
    {
        var name = node.Name;
        var survey = await ReadAsync(shell, node, facts, plans, ct);
        if (survey.Status.Salt.Length == 0)
        {
            await shell.CheckedAsync(PodScripts.Salt(layout), "make the node's secrets salt", ct);
            survey = await ReadAsync(shell, node, facts, plans, ct);
        }
        foreach (var note in survey.Notes)
            Note(run, note);

        var changed = node.Pods.Where(p => !survey.Converged(p)).ToList();
        foreach (var p in node.Pods.Except(changed))
            run.Pods[p] = new PodResult(p, PodAction.Unchanged, survey.Desired[p].Record.Id) { Previous = survey.Observed(p)?.Previous };

        if (changed.Count > 0)
        {
            foreach (var note in MemoryNotes(node, survey, changed))
                Note(run, note);
            // Nothing switches until every image and file every changed pod needs is on the node and verified.
            var images = await PushImagesAsync(shell, node, run, changed, ct);
            foreach (var note in await RuncBundles.PrepareAsync(shell, fleet, inputs, survey, changed, what => Stage(name, what), ct))
                Note(run, note);
            foreach (var note in await NodeRepair.PrepareAsync(shell, fleet, inputs, survey, changed, ct))
                Note(run, note);
            foreach (var pod in changed)
                await InstallReleaseAsync(shell, survey, pod, ct);
            foreach (var pod in changed)
            {
                if (run.Pods.Values.Any(r => r.Action == PodAction.RolledBack))
                {
                    run.Pods[pod] = new PodResult(pod, PodAction.Skipped, survey.Desired[pod].Record.Id) { Detail = "not switched: an earlier pod on this node rolled back", Images = images[pod] };
                    continue;
                }
                run.Pods[pod] = await SwitchAsync(shell, survey, run, pod, ct) with { Images = images[pod] };
            }
        }

        // Pods the fleet file no longer places here: removed with --prune once the others are in place
        // (not after a rollback: the node stops there), else named in the report.
        if (!options.Prune)
            foreach (var note in survey.ExtraNotes)
                Note(run, note);
        else if (!run.Pods.Values.Any(r => r.Action == PodAction.RolledBack))
            foreach (var pod in survey.Extra)
                run.Pods[pod] = await RemoveAsync(shell, survey, pod, ct);

        run.Firewall = await FirewallAsync(shell, node, survey, run, ct);
        var results = run.Pods.Values.ToList();
        if (results.Any(r => r.Action is PodAction.RolledBack))
            return NodeOutcome.RolledBack;
        if (results.Any(r => r.Action is PodAction.Deployed or PodAction.Updated or PodAction.Removed))
            await CollectImagesAsync(shell, survey, run, ct);
        return results.All(r => r.Action == PodAction.Unchanged) && run.Firewall is null or "firewall unchanged" ? NodeOutcome.Unchanged : NodeOutcome.Updated;
    }

    /// <summary>
    /// Refuses a node whose memory cannot hold its pods' limits (VZ4204); otherwise what the report
    /// should say: a switch that stops the old version first because both would not fit (podman pods
    /// always switch stop-first: old and new share the pod's name and ports), pods without a limit.
    /// </summary>
    IReadOnlyList<string> MemoryNotes(NodeWork node, NodeSurvey survey, IReadOnlyList<string> changed)
    {
        var pods = node.AllPods.Select(p => (p, fleet.Fleet.ManifestOf(p), fleet.Entry(p).Runtime)).ToList();
        var notes = new List<string>();
        foreach (var pod in changed)
        {
            // The old version's limit is not known here; the new one's stands for it. A first deploy has no old version.
            var oldLimit = survey.Observed(pod)?.Current is null ? null : fleet.Fleet.ManifestOf(pod).MemoryLimit;
            if (MemoryPlan.Check(node.Name, survey.Facts.MemTotal, pods, pod, oldLimit) is { } note)
                notes.Add(note);
        }
        return notes.Distinct().ToList();
    }

    async Task<Dictionary<string, IReadOnlyList<ImageSent>>> PushImagesAsync(NodeShell shell, NodeWork node, NodeRun run, IReadOnlyList<string> pods, CancellationToken ct)
    {
        var pusher = new Pusher(new NoConnector(), reporter, processes);
        var sent = new Dictionary<string, ImageSent>(StringComparer.Ordinal);
        var result = new Dictionary<string, IReadOnlyList<ImageSent>>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var list = new List<ImageSent>();
            foreach (var image in fleet.Entry(pod).Images)
            {
                if (!sent.TryGetValue(image.Archive, out var s))
                {
                    Stage(node.Name, $"push {image.Image}");
                    // An image only runc pods use is not loaded into podman (the node may have none): deploy unpacks it.
                    var load = pods.Any(p => fleet.Entry(p).Runtime == Fleet.PodRuntime.Podman && fleet.Entry(p).Images.Any(i => i.Archive == image.Archive));
                    var push = await pusher.PushOneAsync(shell.Transport, node.Target, inputs.Archive(image.Archive), inputs.Cache,
                        inputs.Payloads(image.Archive), options.Push(image.Archive) with { Load = load }, ct);
                    Interlocked.Add(ref run.BytesSent, push.BytesSent);
                    // Pusher told the reporter already; the report keeps them.
                    lock (run.Notes)
                        run.Notes.AddRange(push.Notes.Where(n => !run.Notes.Contains(n)));
                    run.Pushed.Add(image.Archive);
                    sent[image.Archive] = s = new ImageSent(image.Image, push.Mode, push.BytesSent);
                }
                list.Add(s);
            }
            result[pod] = list;
        }
        return result;
    }

    /// <summary>Uploads a release's files (and the pod's secrets) and moves them into place once each sha256 matches.</summary>
    async Task InstallReleaseAsync(NodeShell shell, NodeSurvey survey, string pod, CancellationToken ct)
    {
        var layout = survey.Layout;
        var desired = survey.Desired[pod];
        var id = desired.Record.Id;
        Stage(survey.Status.Node, $"install {pod} {id}");
        await shell.CheckedAsync(PodScripts.Prepare(layout, pod, id), $"prepare release {id} of {pod}", ct);
        var files = new (string Name, string Text)[]
        {
            (NodeLayout.ManifestFileFor(survey.Plans[pod].Unit), desired.Manifest),
            (NodeLayout.UnitCopyFile, desired.Unit),
            (NodeLayout.RecordFile, desired.Record.Render()),
            ("restore.sh", desired.Restore),
        };
        var part = layout.Release(pod, id) + ".part";
        foreach (var (file, text) in files)
            await shell.UploadAsync($"{part}/{file}", text, ct);
        var install = await shell.RunAsync(PodScripts.InstallRelease(layout, pod, id, files.Select(f => KeyValuePair.Create(f.Name, DesiredState.Sha256(f.Text))).ToList()), NodeShell.Quick, ct);
        if (install.ExitCode == PodScripts.BadUpload)
            throw new TransportException($"release {id} of {pod} arrived damaged ({install.StdOut.Trim()})");
        if (!install.Ok)
            throw new VzException(DeployErrors.NodeCommandFailed, $"install release {id} of {pod}: exit {install.ExitCode}: {NodeShell.LastLine(install)}");
        await InstallSecretsAsync(shell, survey, pod, ct);
    }

    /// <summary>
    /// Each secret the pod uses: its values uploaded as files into ~/.vz/secrets/.incoming (0700),
    /// then put in place by the node script: a secret volume's 0400 files, or the pod's podman secret.
    /// </summary>
    async Task InstallSecretsAsync(NodeShell shell, NodeSurvey survey, string pod, CancellationToken ct)
    {
        var manifest = fleet.Fleet.ManifestOf(pod);
        var values = inputs.SecretsOf(pod);
        var layout = survey.Layout;
        foreach (var secret in manifest.SecretNames)
        {
            var keys = values.Where(v => v.Secret == secret).ToList();
            var volume = manifest.Volumes.FirstOrDefault(v => v.Source is SecretVolume sv && sv.SecretName == secret);
            var asEnv = manifest.Containers.Any(c => c.Env.Any(e => e.Secret?.Name == secret));
            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var volumeFiles = new List<(string Key, string Upload)>();
            if (volume is not null)
                foreach (var (_, key, value) in keys)
                {
                    var upload = $"{layout.SecretsIncoming}/{pod}.{secret}.{key}.{nonce}";
                    await shell.UploadAsync(upload, value, ct);
                    volumeFiles.Add((key, upload));
                }
            string? json = null;
            if (asEnv)
            {
                json = $"{layout.SecretsIncoming}/{pod}.{secret}.{nonce}.json";
                await shell.UploadAsync(json, DesiredState.PodmanSecretJson(keys.Select(k => (k.Key, k.Value))), ct);
            }
            long? uid = volume is null ? null : manifest.SecretOwner(volume.Name);
            long? gid = volume is null ? null : manifest.Containers.Where(c => c.Mounts.Any(m => m.Name == volume.Name)).Select(c => c.EffectiveGroup(manifest.Security)).FirstOrDefault();
            await shell.CheckedAsync(PodScripts.InstallSecret(layout, survey.Plans[pod], pod, secret, volumeFiles, uid, gid, json), $"install secret {secret} of {pod}", ct);
        }
    }

    /// <summary>Arms the dead-man, switches, checks health; confirms, or rolls back at once.</summary>
    async Task<PodResult> SwitchAsync(NodeShell shell, NodeSurvey survey, NodeRun run, string pod, CancellationToken ct, HistoryEvent? confirmed = null)
    {
        var name = survey.Status.Node;
        var layout = survey.Layout;
        var plan = survey.Plans[pod];
        var entry = fleet.Entry(pod);
        var id = survey.Desired[pod].Record.Id;
        var observed = survey.Observed(pod);
        // An earlier attempt may have switched already (its link broke before confirming): then
        // previous is what ran before, and the dead-man must still go back there.
        var from = observed?.Current == id ? observed.Previous : observed?.Current;
        var result = new PodResult(pod, from is null ? PodAction.Deployed : PodAction.Updated, id) { Previous = from };

        Stage(name, $"arm {pod}");
        await shell.CheckedAsync(PodScripts.DeadmanArm(layout, plan, pod, from, id, entry.Deadman), $"arm the dead-man switch of {pod}", ct);
        run.Switched = true;
        Stage(name, $"switch {pod}");
        var sw = await shell.RunAsync(PodScripts.Switch(layout, plan, pod, id), NodeShell.Quick, ct);
        string? why = null;
        if (!sw.Ok)
            why = $"the switch failed: {NodeShell.LastLine(sw)}";
        else
        {
            var invocation = Layout.KeyValues.Parse(sw.StdOut).GetValueOrDefault("invocation") ?? "";
            why = await WaitStartedAsync(shell, name, plan, pod, invocation, ct);
            if (why is null)
            {
                Stage(name, $"health {pod}");
                var health = await shell.RunAsync(PodScripts.HealthCheck(plan, pod, entry.Health, "127.0.0.1", options.SettleSeconds, invocation),
                    HealthDeadline(entry.Health.Timeout), ct);
                if (health.ExitCode != 0)
                    why = health.StdOut.Trim().Split('\n').LastOrDefault(l => l.StartsWith("unhealthy:")) ?? $"health check exit {health.ExitCode}: {NodeShell.LastLine(health)}";
            }
        }

        if (why is null)
        {
            Stage(name, $"confirm {pod}");
            var history = new HistoryEntry(DateTimeOffset.UtcNow, pod, confirmed ?? (from is null ? HistoryEvent.Deploy : HistoryEvent.Update), id, options.Who, from is null ? "" : $"from {from}");
            var confirm = await shell.RunAsync(PodScripts.Confirm(layout, plan, pod, id, history), NodeShell.Quick, ct);
            if (confirm.ExitCode == PodScripts.AlreadyRestored)
                return result with { Action = PodAction.RolledBack, Detail = "the node's dead-man switch restored the previous version before vz could confirm" };
            if (!confirm.Ok)
                throw new VzException(DeployErrors.NodeCommandFailed, $"confirm {pod} {id}: exit {confirm.ExitCode}: {NodeShell.LastLine(confirm)}");
            return result;
        }

        Stage(name, $"roll back {pod}");
        reporter.Info($"{name}: {pod} {id}: {why}: rolling back" + (from is null ? " (first release: removing it)" : $" to {from}"));
        var rollback = await shell.RunAsync($"/bin/sh {Sh.Quote(layout.RestoreScript(pod))} rollback {Sh.Quote(why.Replace('\t', ' '))}",
            UnitWriter.StartTimeout + NodeShell.Quick, ct);
        if (!rollback.Ok)
            throw new VzException(PodErrors.RollbackFailed, $"{pod} {id}: {why}; and the rollback failed too: exit {rollback.ExitCode}: {NodeShell.LastLine(rollback)}");
        var detail = why;
        if (from is not null)
        {
            var again = await shell.RunAsync(PodScripts.HealthCheck(plan, pod, entry.Health, "127.0.0.1", options.SettleSeconds), HealthDeadline(entry.Health.Timeout), ct);
            if (again.ExitCode != 0)
                detail += $"; the previous version {from} is not healthy either ({again.StdOut.Trim().Split('\n').LastOrDefault()})";
        }
        return result with { Action = PodAction.RolledBack, Detail = detail };
    }

    /// <summary>
    /// After every switch here was confirmed: removes the images no kept release names
    /// (<see cref="ImageGc"/>) and the dangling ones, and says so in the report. A failure is a
    /// note, not a failed deploy: the pods run as confirmed.
    /// </summary>
    async Task CollectImagesAsync(NodeShell shell, NodeSurvey survey, NodeRun run, CancellationToken ct)
    {
        // Podman pods' images only: a node of runc pods alone holds none in podman (it may have no podman).
        if (survey.Plans.Values.FirstOrDefault(p => p.Unit != UnitKind.RuncService) is not { } plan)
            return;
        Stage(survey.Status.Node, "old images");
        try
        {
            var list = Layout.KeyValues.All(await shell.CheckedAsync(PodScripts.ImageList(survey.Layout, plan), "list the node's images", ct));
            var unused = ImageGc.Unused(list["image"], list["kept"], list["store"]);
            var done = Layout.KeyValues.All(await shell.CheckedAsync(PodScripts.ImageRemove(plan, unused), "remove old images", ct));
            var dangling = done["dangling"].Select(d => int.TryParse(d, out var n) ? n : 0).Sum();
            if (done["removed"].Any() || dangling > 0)
                Note(run, "removed old images no kept release names: " + string.Join(", ", done["removed"].Append(dangling > 0 ? $"{dangling} untagged" : null).OfType<string>()));
        }
        catch (VzException e)
        {
            Note(run, $"old images were not removed: {e.Message}");
        }
    }

    /// <summary>Removes a pod the fleet file no longer places on this node (<see cref="PodScripts.Remove"/>).</summary>
    async Task<PodResult> RemoveAsync(NodeShell shell, NodeSurvey survey, string pod, CancellationToken ct)
    {
        var name = survey.Status.Node;
        Stage(name, $"remove {pod}");
        var r = await shell.RunAsync(PodScripts.Remove(survey.Layout, pod, $"no longer placed on {name}", options.Who), UnitWriter.StopTimeout + NodeShell.Quick, ct);
        if (r.ExitCode == PodScripts.RemoveUnknown)
            throw new VzException(DeployErrors.NodeCommandFailed,
                $"remove {pod}: its restore.sh was written by a vz without removal; stop it by hand (systemctl disable --now, and remove its unit), then: rm -r {survey.Layout.PodDir(pod)}");
        if (!r.Ok)
            throw new VzException(DeployErrors.NodeCommandFailed, $"remove {pod}: exit {r.ExitCode}: {NodeShell.LastLine(r)}");
        var release = Layout.KeyValues.Parse(r.StdOut).GetValueOrDefault("release") ?? "";
        return new PodResult(pod, PodAction.Removed, release.Length == 0 ? "-" : release)
        {
            Detail = "no longer placed here: stopped, unit and secrets removed; its volumes stay",
        };
    }

    /// <summary>
    /// Makes vz's ports the desired ones: every published port of every pod placed on the node. On a
    /// node where a pod rolled back nothing is closed (the old version may still publish a port the
    /// new one dropped): its ports are added to what stays open.
    /// </summary>
    async Task<string?> FirewallAsync(NodeShell shell, NodeWork node, NodeSurvey survey, NodeRun run, CancellationToken ct)
    {
        if (!survey.ManagesFirewall)
            return null;
        var fw = survey.FirewallPlan;
        var failed = run.Pods.Values.Where(p => p.Action is PodAction.RolledBack or PodAction.Skipped).Select(p => p.Pod).ToHashSet();
        IReadOnlySet<FirewallPort> want = failed.Count == 0
            ? survey.DesiredPorts
            : new SortedSet<FirewallPort>(FirewallPlan.Desired(node.AllPods.Where(p => !failed.Contains(p)).Select(fleet.Fleet.ManifestOf)).Union(survey.Opened));
        var change = FirewallPlan.Compute(want, survey.Opened);
        if (change.None)
            return change.Describe();
        Stage(node.Name, "firewall");
        var script = survey.Layout.FirewallScript;
        await shell.UploadAsync(script, FirewallPlan.EnforceScript(fw.Firewall, want), ct);
        await shell.CheckedAsync(FirewallPlan.ApplyScript(fw.Firewall, fw.FirewallAccess, script), "apply the firewall rules", ct);
        return change.Describe();
    }

    /// <summary>How long a switch may take to stop the old version and start the new one: the unit's stop and start timeouts.</summary>
    public static readonly TimeSpan StartBudget = UnitWriter.StopTimeout + UnitWriter.StartTimeout;

    /// <summary>
    /// Asks the node, 15 s at a time, whether the queued start has happened, until <see cref="StartBudget"/>;
    /// null once the new version runs, else why not (a failed start, or none in time).
    /// </summary>
    async Task<string?> WaitStartedAsync(NodeShell shell, string name, PlatformPlan plan, string pod, string invocation, CancellationToken ct)
    {
        Stage(name, $"start {pod}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var r = await shell.RunAsync(PodScripts.WaitStarted(plan, invocation, 15), TimeSpan.FromSeconds(45), ct);
            if (r.Ok)
                return null;
            if (r.ExitCode == PodScripts.StartFailed)
                return $"{plan.Service} failed to start";
            if (r.ExitCode != 1)
                throw new VzException(DeployErrors.NodeCommandFailed, $"wait for {plan.Service} to start: exit {r.ExitCode}: {NodeShell.LastLine(r)}");
            if (clock.Elapsed > StartBudget)
                return $"{plan.Service} did not start within {(int)StartBudget.TotalSeconds}s ({r.StdOut.Trim()})";
        }
    }

    /// <summary>The health check ends by itself at its timeout (plus one try and the settle time); a node silent beyond that has lost its link.</summary>
    TimeSpan HealthDeadline(TimeSpan timeout) => timeout + TimeSpan.FromSeconds(20 + options.SettleSeconds);

    void Stage(string node, string what) => reporter.Progress(node, 0, 0, what);

    void Note(NodeRun run, string note)
    {
        lock (run.Notes)
        {
            if (run.Notes.Contains(note))
                return;
            run.Notes.Add(note);
        }
        reporter.Info($"{run.Work.Name}: {note}");
    }

    /// <summary>Pusher's connector for <see cref="Pusher.PushOneAsync"/>, which uses the caller's transport and never connects.</summary>
    sealed class NoConnector : INodeConnector
    {
        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct) =>
            throw new InvalidOperationException("PushOneAsync runs on the deploy's own connection");
    }
}
