using Vz.Deploy.Provision;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;

namespace Vz.Integration.Tests.NodeAdd;

/// <summary>The pieces of node add that real tools check: every script it would run parses in sh, dash and bash; the check image runs; the authorized key is ssh-keygen's.</summary>
public sealed class NodeAddPiecesTests
{
    static readonly string[] Supported =
        ["debian-12", "debian-13", "ubuntu-22.04", "ubuntu-24.04", "rocky-8", "rocky-9", "alma-8", "alma-9", "rhel-8", "rhel-9"];

    public static TheoryData<string> SupportedFiles() => new(Supported);

    static NodeOs Os(string file) =>
        NodeOs.Detect(OsRelease.Parse(File.ReadAllText(Vz.Tests.RepoRoot.Combine("fixtures", "os-release", file))), "n");

    /// <summary>Every script of a fresh node's plan (and the probe, the undo, the security update scripts), as root and through sudo.</summary>
    static IEnumerable<string> Scripts(NodeOs os)
    {
        var request = new ProvisionRequest
        {
            User = "deploy",
            PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICL/xDiPIAysrLMHyXr1dQgWqIKh2a9Vv5l5AzbrmNRV it's me",
            SecurityUpdates = true,
            Vzpatch = new Vz.Deploy.Push.VzpatchBinary("/x/vzpatch", 1, new string('a', 64)),
        };
        var fresh = new NodeState { FirewalldActive = true, Sshd = new Dictionary<string, string> { ["passwordauthentication"] = "yes" } };
        var plan = ProvisionPlanner.Plan(os, fresh, request);
        var scripts = plan.Steps.Select(s => s.Script).Append(plan.KeysOnly!.Script)
            .Append(NodeState.Probe(os, request, ProvisionPlanner.ProbedPackages(os)))
            .Append(ProvisionScripts.KeysOnlyUndo(os))
            .Append(ProvisionScripts.PrepareVzpatch("deploy"))
            .Append(ProvisionScripts.InstallVzpatch("deploy", "/home/deploy/.vz/images/.vz", "vzpatch-0123456789abcdef", new string('a', 64)))
            .Append(SecurityUpdates.ListScript(os))
            .Append(SecurityUpdates.InstallScript(os, ["perl", "libexpat1"]))
            .ToList();
        return scripts.Concat(scripts.Select(s => ProvisionScripts.AsRoot(s, loggedInAsRoot: false)));
    }

    [Theory]
    [MemberData(nameof(SupportedFiles))]
    public void EveryScriptNodeAddRunsParsesInShDashAndBash(string file)
    {
        var scripts = Scripts(Os(file)).ToList();
        Assert.True(scripts.Count >= 20, $"{scripts.Count} scripts");
        foreach (var shell in new[] { "sh", "dash", "bash" })
            foreach (var script in scripts)
            {
                var r = ProcessRunner.Run(new ProcessSpec(shell, ["-n", "-c", script]));
                Assert.True(r.Ok, $"{shell} -n: {r.StdErr}\n{script}");
            }
        Assert.True(NodeChecker.RunScript(new NodeSettings(), "/home/d/.vz/vz-check-1.tar", "1") is var check
            && ProcessRunner.Run(new ProcessSpec("sh", ["-n", "-c", Vz.Deploy.Platform.NodeFacts.Probe + NodeChecker.ExtraProbe + check])).Ok);
    }

    [Fact]
    public void TheCheckImagesExecutableRunsHereAndPrintsItsWord()
    {
        Assert.Equal("x86_64", ProcessRunner.Run(new ProcessSpec("uname", ["-m"])).StdOut.Trim());
        using var dir = new Vz.Tests.TempDir();
        var path = dir.Write("vz-check", CheckImage.Executable("x86_64")!);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var r = ProcessRunner.Run(new ProcessSpec(path, []));
        var described = ProcessRunner.Run(new ProcessSpec("file", ["-b", path]));

        Assert.Equal((0, "vz-check-ok\n"), (r.ExitCode, r.StdOut));
        Assert.Equal(165, new FileInfo(path).Length);
        if (described.Ok)
            Assert.StartsWith("ELF 64-bit LSB executable, x86-64", described.StdOut);
    }

    [Fact]
    public void TheAarch64ExecutableIsAnElfForArm64WithItsEntryInsideTheFile()
    {
        var elf = CheckImage.Executable("aarch64")!;
        var entry = BitConverter.ToUInt64(elf, 24) - 0x400000;
        Assert.Equal((0xB7, 164), (BitConverter.ToUInt16(elf, 18), elf.Length));
        Assert.Equal(120UL, entry);
        Assert.Equal("vz-check-ok\n", System.Text.Encoding.ASCII.GetString(elf, 152, 12));
        Assert.Null(CheckImage.Executable("riscv64"));
    }

    [Theory]
    [InlineData("ed25519", "")]
    [InlineData("ecdsa", "")]
    [InlineData("rsa", "")]
    [InlineData("ed25519", "a passphrase")]
    public void ThePublicKeyNodeAddAuthorizesIsTheOneSshKeygenDerives(string type, string passphrase)
    {
        using var dir = new Vz.Tests.TempDir();
        var key = dir["id_" + type];
        var made = ProcessRunner.Run(new ProcessSpec("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "me@laptop", "-f", key]));
        Assert.True(made.Ok, made.StdErr);
        var expected = File.ReadAllText(key + ".pub").Trim();
        var asked = new List<string>();
        var connector = new SshConnector(new SshOptions { PassphrasePrompt = p => { asked.Add(p); return passphrase; } });

        var (line, path) = connector.PublicKey(new NodeTarget("n", "192.0.2.1", 22, "deploy", [dir["missing"], key]));

        Assert.Equal((expected, key), (line, path));
        Assert.Equal(passphrase.Length > 0 ? [key] : [], asked);
        File.Delete(key + ".pub");
        Assert.Equal(string.Join(' ', expected.Split(' ')[..2]) + " id_" + type, connector.PublicKey(new NodeTarget("n", "h", 22, "u", [key])).Line);
    }
}
