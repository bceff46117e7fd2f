using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Playbook;

/// <summary>Debian's ansible-lint (6.13) on a generated role and playbook, with its default profile and no rule skipped.</summary>
public sealed class PlaybookLintTests
{
    [Fact]
    public async Task AnsibleLintPassesOnTheGeneratedRoleAndPlaybookWithNoRuleSkipped()
    {
        // fixtures/playbook/fleet: what vzbuild playbook writes for fixtures/pods/fleet (two pods, secrets, rollout).
        using var dir = new ScratchDir("playbook-lint");
        var golden = Vz.Tests.RepoRoot.Combine("fixtures", "playbook", "fleet");
        foreach (var file in Directory.GetFiles(golden, "*", SearchOption.AllDirectories))
        {
            var to = dir[Path.GetRelativePath(golden, file)];
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        var r = await ProcessRunner.RunAsync(new ProcessSpec(Tools.Require("ansible-lint"), ["--nocolor", "deploy.yaml", "roles/vz_pod"])
        {
            WorkingDirectory = dir.Path,
            Environment = new Dictionary<string, string?> { ["ANSIBLE_NOCOLOR"] = "1", ["NO_COLOR"] = "1" },
            Timeout = TimeSpan.FromMinutes(3),
        });

        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("Passed", r.StdOut + r.StdErr);
        Assert.False(File.Exists(dir[".ansible-lint"]));
    }
}
