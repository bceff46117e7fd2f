using Vz.Deploy.Drift;
using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Push;
using Vz.Deploy.Rollout;
using Vz.Deploy.Runner;
using Vz.Deploy.View;

namespace Vz.Deploy.Apply;

/// <summary>
/// vzbuild rollback on one node: each pod back to the release its previous link names, from what
/// the node keeps (the release directory, and the image archives push left in the node's store:
/// nothing is uploaded), through deploy's own lock, dead-man switch, health check and confirmation.
/// </summary>
public sealed partial class NodeDeployer
{
    /// <summary>One attempt of a rollback on one node. Throws to fail it (a TransportException to retry it).</summary>
    public Task<NodeOutcome> RollbackAsync(NodeAttempt attempt, NodeRun run, CancellationToken ct) =>
        LockedAsync(attempt, run, "rollback", (shell, facts, plans, layout) => RollbackUnderLockAsync(shell, run, facts, plans, layout, ct), ct);

    async Task<NodeOutcome> RollbackUnderLockAsync(NodeShell shell, NodeRun run, NodeFacts facts,
        IReadOnlyDictionary<string, PlatformPlan> plans, NodeLayout layout, CancellationToken ct)
    {
        var node = run.Work;
        var status = NodeStatus.Parse(node.Name, await shell.CheckedAsync(NodeStatus.Script(layout, Surveys.Queries(fleet, plans)), "read the pods' state", ct));
        // Every pod is checked before any is switched: a node either rolls back what it can, or is left as it was.
        // A pod without a previous release (never updated there) is left as it is, unless it is all there was to roll back.
        var targets = new Dictionary<string, (ObservedPod Seen, ReleaseRecord Record)>(StringComparer.Ordinal);
        var nothing = new List<string>();
        foreach (var pod in node.Pods)
        {
            var seen = status.Pods.FirstOrDefault(p => p.Pod == pod);
            if (run.Pods.TryGetValue(pod, out var done) && done.Action != PodAction.Skipped && seen?.Current == done.Release)
                continue;   // an earlier attempt (its link broke after confirming) rolled this pod back already
            if (seen is { Pending: true } or { DeadmanArmed: true })
                throw new VzException(ViewErrors.Unconfirmed, $"{pod}: a switch awaits confirmation on {node.Name}: its dead-man timer restores the previous version by itself",
                    "wait for the timer (vzbuild history shows what it did), then roll back if still needed");
            if (seen?.Previous is not { } previous || seen.Current is null)
            {
                nothing.Add($"{pod} (current: {seen?.Current ?? "none"})");
                run.Pods[pod] = new PodResult(pod, PodAction.Skipped, seen?.Current ?? "") { Detail = "no previous release on this node: left as it is" };
                continue;
            }
            var text = await shell.RunAsync($"cat {Sh.Quote($"{layout.Release(pod, previous)}/{NodeLayout.RecordFile}")}", NodeShell.Quick, ct);
            var record = text.Ok ? ReleaseRecord.Parse(text.StdOut) : null;
            if (record is null || record.Id != previous)
                throw new VzException(ViewErrors.BadRecord, $"{pod}: the record of release {previous} on {node.Name} is {(record is null ? "missing or unreadable" : $"for release {record.Id}")}");
            targets[pod] = (seen, record);
        }
        if (targets.Count == 0 && !run.Pods.Values.Any(p => p.Action != PodAction.Skipped))
            throw new VzException(ViewErrors.NoPrevious, $"{node.Name} keeps no previous release to go back to: {string.Join(", ", nothing)}",
                "only a pod updated at least once on a node can be rolled back there");

        foreach (var pod in node.Pods.Where(targets.ContainsKey))
        {
            var (seen, record) = targets[pod];
            if (run.Pods.Values.Any(r => r.Action == PodAction.RolledBack))
            {
                run.Pods[pod] = new PodResult(pod, PodAction.Skipped, seen.Current!) { Detail = "not rolled back: the previous version of an earlier pod on this node failed its check" };
                continue;
            }
            Stage(node.Name, $"images of {pod} {record.Id}");
            foreach (var (image, sha) in record.Images)
            {
                // A runc pod runs the bundle unpacked for that image version, kept beside the release (nothing to load).
                var kept = await shell.RunAsync(plans[pod].Unit == UnitKind.RuncService
                    ? $"[ -d {Sh.Quote(layout.Rootfs(image, sha))} ] || exit {KeptImageGone}\necho kept\n"
                    : KeptImageScript(layout, node.Target.Settings, image, sha), NodeShell.Quick, ct);
                if (kept.ExitCode == KeptImageGone)
                    throw new VzException(ViewErrors.ImageGone, $"{pod}: {image} of release {record.Id} is no longer on {node.Name} (its archive sha256:{sha[..12]} was pruned and podman has no such image)",
                        "deploy that version again instead: vzbuild deploy with the fleet file of that release");
                if (!kept.Ok)
                    throw new VzException(DeployErrors.PodmanLoadFailed, $"{pod}: load {image} from the node's store: exit {kept.ExitCode}: {NodeShell.LastLine(kept)}");
                if (kept.StdOut.Contains("no-archive", StringComparison.Ordinal))
                    Note(run, $"{image}: the archive of release {record.Id} was pruned from the node's store; its image is still loaded and used as it is");
            }
            var survey = new NodeSurvey(facts, layout, plans, status, new SortedSet<FirewallPort>(), new SortedSet<FirewallPort>(),
                new Dictionary<string, DesiredRelease>(StringComparer.Ordinal) { [pod] = new DesiredRelease(record, "", "", "") });
            run.Pods[pod] = await SwitchAsync(shell, survey, run, pod, ct, HistoryEvent.Rollback);
        }
        return run.Pods.Values.Any(r => r.Action == PodAction.RolledBack) ? NodeOutcome.RolledBack : NodeOutcome.Updated;
    }

    /// <summary><see cref="KeptImageScript"/>: neither the archive nor the image is on the node.</summary>
    const int KeptImageGone = 66;

    /// <summary>
    /// Puts an image of a kept release back under its name from the node's own store: the verified
    /// archive push left there (checked again, loaded, recorded as the store's current), or, when it
    /// was pruned, the image podman still holds (prints "no-archive"); else exits <see cref="KeptImageGone"/>.
    /// </summary>
    static string KeptImageScript(NodeLayout layout, Transport.NodeSettings settings, string image, string sha)
    {
        var dir = layout.ImageDir(image);
        var archive = $"{dir}/{NodeScripts.ArchiveFile(sha)}";
        var env = settings.Env.Count == 0 ? "" : "env " + string.Join(' ', settings.Env.Select(kv => Sh.Quote($"{kv.Key}={kv.Value}"))) + " ";
        return $"if [ -f {Sh.Quote(archive)} ]; then\n" +
               $"  [ \"$(sha256sum < {Sh.Quote(archive)} | cut -d' ' -f1)\" = {Sh.Quote(sha)} ] || {{ echo {Sh.Quote($"{archive} is damaged")} >&2; exit 65; }}\n" +
               $"  {NodeScripts.Load(settings, archive)} >/dev/null\n" +
               $"  ({NodeScripts.Commit(dir, sha)}) >/dev/null\n" +
               "  echo kept\n" +
               $"elif {env}podman image exists {Sh.Quote(image)}; then echo no-archive\n" +
               $"else exit {KeptImageGone}; fi\n";
    }
}
