using Vz.Integration.Tests.Infra;

namespace Vz.Integration.Tests.Cli;

/// <summary>
/// The scripts `vzbuild completion bash|zsh` prints, run in the real shells against the real vzbuild:
/// bash calls the completion function as it does on Tab (COMP_WORDS, COMP_CWORD, COMP_LINE,
/// COMP_POINT set), zsh runs its own completion system in an interactive shell under zpty
/// (zsh-complete.zsh) and Tab is pressed there.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    readonly ScratchDir dir = new("completion");
    readonly string bin;

    public CompletionTests()
    {
        // `vzbuild` on PATH, as `dotnet tool install` would put it.
        bin = Path.Combine(dir.Path, "bin");
        var vzbuild = dir.Write("bin/vzbuild", $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "vzbuild.dll")} \"$@\"\n");
        File.SetUnixFileMode(vzbuild, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => dir.Dispose();

    Dictionary<string, string?> Env(bool onPath = true) => new()
    {
        ["PATH"] = (onPath ? bin + ":" : "") + Environment.GetEnvironmentVariable("PATH"),
        ["HOME"] = dir.Path,
    };

    /// <summary>The script the real vzbuild prints for a shell, saved to a file.</summary>
    string Script(string shell)
    {
        var r = Vzbuild.Checked("completion", shell);
        return dir.Write($"vzbuild.{shell}", r.StdOut);
    }

    /// <summary>COMPREPLY after bash calls the completion function for LINE (the cursor at its end).</summary>
    string[] Bash(string line, string? typed = null, bool onPath = true)
    {
        var words = line.Split(' ').ToList();
        if (typed is not null)
        {
            words[0] = typed;
            line = typed + line["vzbuild".Length..];
        }
        const string driver = """
            source "$1" || exit 3
            COMP_LINE=$2; COMP_POINT=${#2}
            shift 2
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
            _vzbuild_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var r = Tools.Checked(new ProcessSpec(Tools.Require("bash"), ["--norc", "--noprofile", "-c", driver, "bash", Script("bash"), line, .. words])
        {
            Environment = Env(onPath),
            Timeout = TimeSpan.FromMinutes(1),
        });
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The matches zsh's completion system offers on Tab after LINE, in <see cref="dir"/>.</summary>
    string[] Zsh(string line)
    {
        var capture = Path.Combine(RepoRoot.Path, "tests/Integration.Tests/Cli/zsh-complete.zsh");
        var r = Tools.Checked(new ProcessSpec(Tools.Require("zsh"), ["-f", capture, Script("zsh"), line])
        {
            Environment = Env(),
            WorkingDirectory = dir.Path,
            Timeout = TimeSpan.FromMinutes(1),
        });
        // compinit wrote no dump file (its dump is moved over the file named, once /dev/null).
        Assert.Empty(Directory.GetFiles(dir.Path, ".zcompdump*"));
        Assert.Equal("character special file", Tools.Checked(new ProcessSpec("stat", ["-c", "%F", "/dev/null"])).StdOut.Trim());
        return r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    static readonly string[] Commands =
        ["bundle", "completion", "deploy", "diff", "history", "image", "ldd", "lock", "logs", "minify", "node", "playbook", "ps", "push", "rollback", "spec", "trace"];

    [Fact]
    public void BashCompletesACommandFromItsFirstLetters() => Assert.Equal(["deploy"], Bash("vzbuild de"));

    [Fact]
    public void BashCompletesAnOptionOfTheCommandTyped() => Assert.Equal(["--group"], Bash("vzbuild deploy --gr"));

    [Fact]
    public void BashOffersEveryCommandAndNoOptionsBeforeADash() => Assert.Equal(Commands, Bash("vzbuild ").Order(StringComparer.Ordinal));

    [Fact]
    public void BashOffersEveryOptionAfterADash()
    {
        var offered = Bash("vzbuild push app.tar -");
        Assert.Contains("--delta", offered);
        Assert.Contains("--inventory", offered);
        Assert.All(offered, o => Assert.StartsWith("-", o));
    }

    [Fact]
    public void BashOffersAnOptionsValuesAndASubcommandsCommands()
    {
        Assert.Equal(["Gzip", "None", "Xz", "Zstd"], Bash("vzbuild bundle app.spec --compress ").Order(StringComparer.Ordinal));
        Assert.Equal(["add", "check"], Bash("vzbuild node "));
        Assert.Equal(["bash", "zsh"], Bash("vzbuild completion "));
    }

    [Fact]
    public void BashLeavesAFileArgumentToItsOwnFileNameCompletion()
    {
        Assert.Empty(Bash("vzbuild deploy -c "));
        var r = Tools.Checked(new ProcessSpec(Tools.Require("bash"), ["--norc", "--noprofile", "-c", "source \"$1\" && complete -p vzbuild", "bash", Script("bash")]));
        Assert.Equal("complete -o bashdefault -o default -F _vzbuild_complete vzbuild", r.StdOut.Trim());
    }

    [Fact]
    public void BashAsksTheVzbuildThatWasTypedByItsPath() =>
        Assert.Equal(["--group"], Bash("vzbuild deploy --gr", typed: Path.Combine(bin, "vzbuild"), onPath: false));

    [Fact]
    public void ZshCompletesACommandFromItsFirstLetters() => Assert.Equal(["deploy"], Zsh("vzbuild de"));

    [Fact]
    public void ZshCompletesAnOptionOfTheCommandTyped() => Assert.Equal(["--group"], Zsh("vzbuild deploy --gr"));

    [Fact]
    public void ZshOffersEveryCommandAndNoOptionsBeforeADash() => Assert.Equal(Commands, Zsh("vzbuild ").Order(StringComparer.Ordinal));

    [Fact]
    public void ZshOffersAnOptionsValuesAndASubcommandsCommands()
    {
        Assert.Equal(["Gzip", "None", "Xz", "Zstd"], Zsh("vzbuild bundle app.spec --compress ").Order(StringComparer.Ordinal));
        Assert.Equal(["add", "check"], Zsh("vzbuild node ").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ZshCompletesFileNamesWhereVzbuildHasNothingToOffer()
    {
        dir.Write("prod.yaml", "");
        Assert.Contains("prod.yaml", Zsh("vzbuild deploy -c "));
    }
}
