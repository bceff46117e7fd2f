using Vz.Deploy.Playbook;
using YamlDotNet.RepresentationModel;

namespace Vz.Deploy.Tests.Playbook;

/// <summary>
/// Rules every generated playbook keeps, read back with a YAML parser: it parses, every module is
/// from the collections Debian's ansible package ships (stock modules only, nothing of vz on the
/// controller), and every task that touches a secret value hides it (no_log).
/// </summary>
public sealed class RoleRulesTests : IDisposable
{
    readonly GeneratedFleet fleet = new();

    public void Dispose() => fleet.Dispose();

    static readonly string[] Collections = ["ansible.builtin.", "ansible.posix.", "containers.podman."];

    /// <summary>Task keywords (Ansible's playbook keywords for tasks and blocks); any other key is the module.</summary>
    static readonly HashSet<string> Keywords =
    [
        "name", "when", "loop", "loop_control", "register", "vars", "changed_when", "failed_when", "check_mode", "no_log",
        "timeout", "delegate_to", "become", "notify", "tags", "block", "rescue", "always", "environment", "args",
        "ignore_errors", "until", "retries", "delay", "run_once", "listen", "diff",
    ];

    /// <summary>Variables that hold secret values (tasks/read.yml, tasks/secret.yml).</summary>
    static readonly string[] SecretVariables = ["vz_secret_data", "vz_secret_values", "vz_secret_json", "vz_secret_missing", "vz_values", "vz_json"];

    IEnumerable<PlaybookFile> YamlFiles => fleet.Playbook.Files.Where(f => f.Path.EndsWith(".yml", StringComparison.Ordinal) || f.Path.EndsWith(".yaml", StringComparison.Ordinal));

    static YamlNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Single().RootNode;
    }

    /// <summary>Every task of a task file, blocks opened (their rescue and always included).</summary>
    static IEnumerable<YamlMappingNode> Tasks(YamlNode node)
    {
        if (node is not YamlSequenceNode list)
            yield break;
        foreach (var item in list.Children.OfType<YamlMappingNode>())
        {
            yield return item;
            foreach (var part in new[] { "block", "rescue", "always" })
                if (item.Children.TryGetValue(new YamlScalarNode(part), out var inner))
                    foreach (var t in Tasks(inner))
                        yield return t;
        }
    }

    IEnumerable<(string File, YamlMappingNode Task)> AllTasks() =>
        fleet.Playbook.Files.Where(f => f.Path.Contains("/tasks/", StringComparison.Ordinal) || f.Path.Contains("/handlers/", StringComparison.Ordinal))
            .SelectMany(f => Tasks(Parse(f.Text)).Select(t => (f.Path, t)));

    static string Name(YamlMappingNode task) => task.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? n.ToString() : "(unnamed)";

    static string Text(YamlNode node)
    {
        var sw = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(sw, assignAnchors: false);
        return sw.ToString();
    }

    [Fact]
    public void EveryGeneratedYamlFileParses()
    {
        var files = YamlFiles.ToList();
        Assert.True(files.Count >= 12, $"only {files.Count} YAML files");
        foreach (var f in files)
        {
            var ex = Record.Exception(() => Parse(f.Text));
            Assert.True(ex is null, $"{f.Path}: {ex?.Message}");
        }
    }

    [Fact]
    public void EveryModuleTheRoleUsesIsFromTheCollectionsDebiansAnsibleShips()
    {
        var modules = new List<string>();
        foreach (var (file, task) in AllTasks())
        {
            var keys = task.Children.Keys.Select(k => k.ToString()).Where(k => !Keywords.Contains(k)).ToList();
            if (task.Children.ContainsKey(new YamlScalarNode("block")))
            {
                Assert.Empty(keys);
                continue;
            }
            Assert.True(keys.Count == 1, $"{file}: task '{Name(task)}' has keys {string.Join(", ", keys)} (one module expected)");
            Assert.True(Collections.Any(c => keys[0].StartsWith(c, StringComparison.Ordinal)), $"{file}: task '{Name(task)}' uses {keys[0]}");
            modules.Add(keys[0]);
        }
        Assert.Contains("ansible.builtin.copy", modules);
        Assert.Contains("ansible.builtin.command", modules);
    }

    [Fact]
    public void EveryTaskThatTouchesASecretValueHasNoLog()
    {
        var touching = 0;
        foreach (var (file, task) in AllTasks())
        {
            if (task.Children.ContainsKey(new YamlScalarNode("block")))
                continue;
            var text = Text(task);
            if (!file.EndsWith("/secret.yml", StringComparison.Ordinal) && !SecretVariables.Any(v => text.Contains(v, StringComparison.Ordinal)))
                continue;
            touching++;
            Assert.True(task.Children.TryGetValue(new YamlScalarNode("no_log"), out var noLog) && noLog.ToString() == "true",
                $"{file}: task '{Name(task)}' touches a secret value and has no no_log: true");
        }
        // Gather, refuse empty, digest (read.yml); upload values, upload JSON, put in place (secret.yml).
        Assert.True(touching >= 6, $"only {touching} tasks touch secrets: the rule looks at nothing");
    }

    [Fact]
    public void EveryScriptTheRoleRunsIsOneOfVzsTemplatesRunByShNotAShellModule()
    {
        foreach (var (file, task) in AllTasks())
            Assert.False(task.Children.ContainsKey(new YamlScalarNode("ansible.builtin.shell")), $"{file}: '{Name(task)}' uses shell");
        Assert.All(fleet.Playbook.Files.Where(f => f.Path.StartsWith(PlaybookGenerator.Templates, StringComparison.Ordinal)),
            f => Assert.EndsWith(".j2", f.Path));
    }
}
