using Vz.Deploy.Firewall;
using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using System.Text.RegularExpressions;
using Vz.Deploy.Push;
using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Fleet;
using Vz.Integration.Tests.Nodes;
using Xunit.Abstractions;

namespace Vz.Integration.Tests.Playbook;

/// <summary>
/// vzbuild playbook's deploy.yaml and role run by Debian's ansible-playbook against the mixed fleet
/// (PlaybookFleet): the same result as vzbuild deploy, idempotent, a canary and a rescue that
/// restores, and a check mode that reports drift without changing anything. Each test first brings
/// the fleet to the state it starts from (a converged fleet costs one quick run).
/// </summary>
[Collection(PlaybookCollection.Name)]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PlaybookTests(PlaybookFleet f, ITestOutputHelper output)
{
    static readonly string[] Hosts = ["n1", "n2", "n3"];

    [Fact, Step(1)]
    public async Task TheFirstRunDeploysTheMixedFleetGreenAndEachNodeAnswersFromItsPods()
    {
        output.WriteLine($"first run (3 nodes, canary then 2): {f.First.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Hosts, f.First.Recap.Keys.Order());
        Assert.All(f.First.Recap.Values, r => Assert.True(r.Failed == 0 && r.Unreachable == 0 && r.Changed > 0, f.First.ToString()));
        await f.EnsureAsync(f.App.V1);

        Assert.Equal("web v1", await Web.TryGetAsync(f["n1"], PlaybookFleet.WebPort));
        Assert.Equal("web v1", await Web.TryGetAsync(f["n2"], PlaybookFleet.WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(f["n2"], PlaybookFleet.ApiPort));
        Assert.Equal("api v1", await Web.TryGetAsync(f["n3"], PlaybookFleet.ApiPort));
        Assert.Null(await Web.TryGetAsync(f["n3"], PlaybookFleet.WebPort));
        foreach (var n in f.Nodes.Nodes)
            Assert.Equal("", await NodeOps.LeftoversAsync(n));
    }

    [Fact, Step(2)]
    public async Task AfterThePlaybookDeploysReadingFindsNothingToDoAndTheNodesHoldTheFilesDeployWrites()
    {
        await f.EnsureAsync(f.App.V1);

        var diff = await f.Fleet.VzbuildAsync("diff");
        Assert.True(diff.ExitCode == 0, $"vzbuild diff exit {diff.ExitCode}\n{diff.StdOut}{diff.StdErr}");
        // What diff compares, read with deploy's own survey: nothing differs.
        var view = await DeployView.ReadAsync(f);
        Assert.True(view.Drift.Count == 0, string.Join("\n", view.Drift));
        foreach (var node in view.Nodes)
        {
            var test = f[node.Name];
            var s = node.Survey;
            foreach (var (pod, want) in s.Desired)
            {
                var plan = s.Plans[pod];
                Assert.Equal(want.Unit, await test.SshCheckedAsync($"cat {plan.UnitPath}"));
                Assert.Equal(want.Manifest, await test.SshCheckedAsync($"cat {s.Layout.CurrentManifest(pod)}"));
                Assert.Equal(want.Restore, await test.SshCheckedAsync($"cat {s.Layout.RestoreScript(pod)}"));
                var record = ReleaseRecord.Parse(await test.SshCheckedAsync($"cat {s.Layout.Current(pod)}/{NodeLayout.RecordFile}"))!;
                Assert.Equal(want.Record.Content(), record.Content());
                Assert.Equal(want.Record.Id, record.Id);
            }
            var fw = s.FirewallPlan.Firewall;
            Assert.Equal(FirewallPlan.EnforceScript(fw, s.DesiredPorts), await test.SshCheckedAsync($"cat {s.Layout.FirewallScript}"));
            Assert.Equal(FirewallPlan.BootUnit(s.Layout.FirewallScript), await test.SshCheckedAsync($"cat /etc/systemd/system/{FirewallPlan.BootUnitName}"));
            Assert.Equal("enabled", (await test.SshCheckedAsync($"systemctl is-enabled {FirewallPlan.BootUnitName}")).Trim());
            var history = (await test.SshCheckedAsync($"cat {s.Layout.History}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(history, line => Assert.NotNull(HistoryEntry.Parse(line)));
        }
        Assert.Equal(FirewallBackend.Iptables, view.Nodes[0].Survey.FirewallPlan.Firewall);
        Assert.Equal(FirewallBackend.Nftables, view.Nodes[1].Survey.FirewallPlan.Firewall);
        Assert.Equal(UnitKind.QuadletKube, view.Nodes[1].Survey.Plans["web"].Unit);
        Assert.Equal(UnitKind.PodmanKubeService, view.Nodes[0].Survey.Plans["web"].Unit);

        var deploy = await f.Fleet.DeployAsync();
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Equal(["unchanged", "unchanged", "unchanged"], Hosts.Select(deploy.NodeOutcome));
    }

    [Fact, Step(3)]
    public async Task ASecondRunReportsChangedZeroOnEveryHostAndRestartsNothingWithTheSecretFromItsFileOrAnAnsibleVault()
    {
        await f.EnsureAsync(f.App.V1);
        var started = await Task.WhenAll(Hosts.Select(h => NodeOps.StartTimesAsync(f[h], h == "n3" ? "api" : "web")));

        var again = await f.PlaybookAsync();
        output.WriteLine($"second run: {again.Elapsed.TotalSeconds:F1} s");

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(Hosts, again.Recap.Keys.Order());
        foreach (var h in Hosts)
            Assert.True(again.Recap[h].Changed == 0, $"{h}: changed {string.Join(", ", again.ChangedTasks(h))}\n{again}");
        Assert.Equal(started, await Task.WhenAll(Hosts.Select(h => NodeOps.StartTimesAsync(f[h], h == "n3" ? "api" : "web"))));

        // The api's secret from an Ansible Vault file instead of the file vz.yaml names: the same
        // value gives the same release (its HMAC under the node's salt), so nothing changes either.
        var vault = await f.VaultAsync("vz_secret_values:\n  token:\n    value: \"t0ken-of-the-api\\n\"\n");
        var fromVault = await f.PlaybookAsync("-e", $"@{vault.File}", "--vault-password-file", vault.Password);
        Assert.True(fromVault.ExitCode == 0, fromVault.ToString());
        Assert.DoesNotContain("t0ken-of-the-api", fromVault.Output);
        foreach (var h in Hosts)
            Assert.True(fromVault.Recap[h].Changed == 0, $"{h}: changed {string.Join(", ", fromVault.ChangedTasks(h))}\n{fromVault}");
        // Another value in the vault is another release of api (check mode: nothing is changed).
        var rotated = await f.VaultAsync("vz_secret_values:\n  token:\n    value: \"another-token\\n\"\n");
        var check = await f.PlaybookAsync("--check", "-e", $"@{rotated.File}", "--vault-password-file", rotated.Password);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("pod api: runs release", check.Output);
        Assert.DoesNotContain("another-token", check.Output);
        Assert.Equal([0, 1, 1], Hosts.Select(h => check.Recap[h].Changed > 0 ? 1 : 0));
    }

    [Fact, Step(6)]
    public async Task AOneFileChangeShippedAsADeltaChangesOnlyTheWebPodsTasksOnItsHostsAndTheNewAnswerComesBack()
    {
        await f.EnsureAsync(f.App.V1);
        var api = await NodeOps.StartTimesAsync(f["n2"], "api");
        // The controller's vzbuild cache holds what the nodes hold, as after an earlier vzbuild push or
        // deploy from it: v1, and the crashing version the canary's image store kept (a rollback
        // restores the release, not the store's current archive, as with vzbuild deploy).
        var cache = new LocalImageCache(f.Fleet.CacheDir);
        cache.Add(ImageArchive.Open(f.App.V1.Archive));
        cache.Add(ImageArchive.Open(f.App.Crash.Archive));
        var rx = await Task.WhenAll(Hosts.Select(h => f[h].RxBytesAsync()));

        await f.WriteAsync(f.App.V2);
        var run = await f.PlaybookAsync("-v", "-e", PlaybookFleet.DeltaVars(f.Fleet.CacheDir));
        var onLink = (await Task.WhenAll(Hosts.Select(h => f[h].RxBytesAsync()))).Zip(rx, (after, before) => after - before).ToArray();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, run.Recap["n3"].Changed);
        foreach (var h in new[] { "n1", "n2" })
        {
            var changed = run.ChangedTasks(h);
            output.WriteLine($"{h} changed: {string.Join(" | ", changed)}");
            Assert.Contains(changed, t => t.StartsWith("Push as a delta", StringComparison.Ordinal));
            Assert.All(changed, t => Assert.True(t.EndsWith(" web", StringComparison.Ordinal) || t.EndsWith("web/token", StringComparison.Ordinal)
                || t.EndsWith(f.App.V2.Image, StringComparison.Ordinal) || t == "Report what differs from the fleet file", $"{h}: '{t}' is not one of web's tasks"));
        }
        // vzbuild push --json's report, as ansible-playbook -v shows the delegated task's stdout.
        var modes = Regex.Matches(run.Output, "\\\\\"mode\\\\\": \\\\\"([a-z-]+)\\\\\"").Select(m => m.Groups[1].Value).ToList();
        var sent = Regex.Matches(run.Output, "\\\\\"bytesSent\\\\\": ([0-9]+)").Select(m => long.Parse(m.Groups[1].Value)).ToList();
        output.WriteLine($"update run: {run.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"image {f.App.V2.Size} B; push modes {string.Join(", ", modes)}, image bytes sent {string.Join(", ", sent)}; " +
            $"bytes on the links during the whole run (Ansible's modules included) {string.Join(", ", onLink)}");
        // Once per node (n1, n2); -v shows each report twice (stdout and stdout_lines).
        Assert.True(modes.Count >= 2 && modes.All(m => m == "delta"), string.Join(", ", modes));
        Assert.All(sent, b => Assert.True(b * 10 < f.App.V2.Size, $"{b} B sent for a {f.App.V2.Size} B image"));
        Assert.Contains("pod web: runs release", run.Output);
        Assert.DoesNotContain("pod api:", run.Output);
        Assert.Equal("web v2", await Web.TryGetAsync(f["n1"], PlaybookFleet.WebPort));
        Assert.Equal("web v2", await Web.TryGetAsync(f["n2"], PlaybookFleet.WebPort));
        Assert.Equal("api v1", await Web.TryGetAsync(f["n2"], PlaybookFleet.ApiPort));
        Assert.Equal(api, await NodeOps.StartTimesAsync(f["n2"], "api"));
        Assert.EndsWith("web v1\nweb v2", await Web.TryGetAsync(f["n1"], PlaybookFleet.WebPort, "/starts"));
        var diff = await f.Fleet.VzbuildAsync("diff");
        Assert.True(diff.ExitCode == 0, $"vzbuild diff exit {diff.ExitCode}\n{diff.StdOut}{diff.StdErr}");
    }

    [Fact, Step(5)]
    public async Task AFailingVersionIsRestoredOnTheCanaryByTheRescueAndThePlayStopsBeforeTheOtherHosts()
    {
        await f.EnsureAsync(f.App.V1);
        var before = await Task.WhenAll(Hosts.Select(h => NodeOps.CurrentReleaseAsync(f[h], h == "n3" ? "api" : "web")));

        var run = await f.WriteAndRunAsync(f.App.Crash);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal(["n1"], run.Recap.Keys);
        Assert.Equal(1, run.Recap["n1"].Rescued);
        Assert.Equal(1, run.Recap["n1"].Failed);
        Assert.Contains("pod web: release", run.Output);
        Assert.Contains($"rolled back to {before[0]}", run.Output);
        Assert.Equal("web v1", await Web.TryGetAsync(f["n1"], PlaybookFleet.WebPort));
        Assert.Equal("web v1", await Web.TryGetAsync(f["n2"], PlaybookFleet.WebPort));
        Assert.Equal(before, await Task.WhenAll(Hosts.Select(h => NodeOps.CurrentReleaseAsync(f[h], h == "n3" ? "api" : "web"))));
        var history = await f["n1"].SshCheckedAsync("tail -n 1 /root/.vz/history.log");
        Assert.Equal(HistoryEvent.Rollback, HistoryEntry.Parse(history)!.Event);
        Assert.Equal("", await NodeOps.LeftoversAsync(f["n1"]));

        // n1's image store now holds the crashing version as current and v1 as previous. With v1's
        // name retagged by hand, going back to v1 loads the archive the node kept: nothing copied.
        await RetagAsync(f["n1"], f.App.V1.Image);
        var back = await f.WriteAndRunAsync(f.App.V1);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Contains($"Verify, load and record the archive the node kept, {f.App.V1.Image}", back.ChangedTasks("n1"));
        Assert.DoesNotContain(back.ChangedTasks("n1"), t => t.StartsWith("Copy the gzip archive", StringComparison.Ordinal));
        var diff = await f.Fleet.VzbuildAsync("diff");
        Assert.True(diff.ExitCode == 0, $"vzbuild diff exit {diff.ExitCode}\n{diff.StdOut}{diff.StdErr}");
    }

    /// <summary>Points an image name at another image by hand (an empty image imported for it).</summary>
    static Task RetagAsync(TestNode node, string image) =>
        node.SshCheckedAsync($"tar cf - --files-from /dev/null | podman import - localhost/vz-retag:1 >/dev/null && podman tag localhost/vz-retag:1 {image}");

    [Fact, Step(4)]
    public async Task CheckModeOnNodesDriftedByHandReportsTheDriftAndChangesNothingAndARunRepairsIt()
    {
        await f.EnsureAsync(f.App.V1);
        const string unit = "/etc/containers/systemd/vz-web.kube";
        await f["n2"].SshCheckedAsync($"printf '# edited by hand\\n' >> {unit}");
        await f["n3"].SshCheckedAsync("systemctl stop vz-api.service");
        await RetagAsync(f["n1"], f.App.V1.Image);
        var sha = await f["n2"].SshCheckedAsync($"sha256sum {unit}");

        var check = await f.PlaybookAsync("--check", "--diff");

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains($"pod web: image {f.App.V1.Image} is sha256:", check.Output);
        Assert.Contains("pod web: unit file differs from what vz would write", check.Output);
        Assert.Contains("-# edited by hand", check.Output);
        Assert.Contains("pod api: service is inactive", check.Output);
        Assert.True(check.Recap["n1"].Changed > 0 && check.Recap["n2"].Changed > 0 && check.Recap["n3"].Changed > 0, check.ToString());
        var v1 = Vz.Deploy.Playbook.PlaybookImage.Read(f.App.V1.Archive).Id;
        Assert.NotEqual(v1, (await f["n1"].SshCheckedAsync($"podman image inspect --format '{{{{.Id}}}}' {f.App.V1.Image}")).Trim());
        Assert.Equal(sha, await f["n2"].SshCheckedAsync($"sha256sum {unit}"));
        Assert.Equal("inactive", (await f["n3"].SshAsync("systemctl is-active vz-api.service")).StdOut.Trim());
        Assert.Null(await Web.TryGetAsync(f["n3"], PlaybookFleet.ApiPort));

        var repair = await f.PlaybookAsync();

        Assert.True(repair.ExitCode == 0, repair.ToString());
        // The archive is current in n1's store: loaded again from it, nothing copied.
        Assert.Contains($"Load again when podman holds another image ID under the name {f.App.V1.Image}", repair.ChangedTasks("n1"));
        Assert.DoesNotContain(repair.ChangedTasks("n1"), t => t.StartsWith("Copy the gzip archive", StringComparison.Ordinal));
        Assert.Equal(v1, (await f["n1"].SshCheckedAsync($"podman image inspect --format '{{{{.Id}}}}' {f.App.V1.Image}")).Trim());
        Assert.DoesNotContain("edited by hand", await f["n2"].SshCheckedAsync($"cat {unit}"));
        Assert.Equal("api v1", await Web.TryGetAsync(f["n3"], PlaybookFleet.ApiPort));
        var diff = await f.Fleet.VzbuildAsync("diff");
        Assert.True(diff.ExitCode == 0, $"vzbuild diff exit {diff.ExitCode}\n{diff.StdOut}{diff.StdErr}");
    }
}
