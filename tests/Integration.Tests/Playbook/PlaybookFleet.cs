using Vz.Integration.Tests.Deploy;
using Vz.Integration.Tests.Infra;
using Vz.Integration.Tests.Nodes;

namespace Vz.Integration.Tests.Playbook;

[CollectionDefinition(Name)]
public sealed class PlaybookCollection : ICollectionFixture<PlaybookFleet>
{
    public const string Name = "playbook";
}

/// <summary>
/// Three harness nodes of two generations (n1 bookworm, n2 trixie, n3 bookworm), shared by the
/// playbook tests: web (the deploy tests' web app, port 18080) on n1 and n2, api (port 18081, with
/// a secret volume) on n2 and n3, as the deploy tests place them. The fleet directory is deploy's
/// (DeployFleet); its hosts.ini also carries the harness's Ansible connection vars (host key
/// checking on, against the test known_hosts). The playbook is written beside vz.yaml, so each run
/// is the issue's own command: ansible-playbook -i hosts.ini deploy.yaml.
/// </summary>
public sealed class PlaybookFleet : IAsyncLifetime
{
    public const int WebPort = 18080, ApiPort = 18081;

    readonly ScratchDir secrets = new("playbook-secrets");
    TestFleet? nodes;
    DeployFleet? fleet;

    public TestFleet Nodes => nodes!;
    public DeployFleet Fleet => fleet!;
    public WebApp App { get; } = WebApp.Get();
    /// <summary>The first run, which deployed everything.</summary>
    public PlaybookRun First { get; private set; } = null!;
    public AppImage WebVersion { get; private set; } = null!;
    public string SecretFile => secrets["api-token"];

    public TestNode this[string name] => Fleet.Node(name);

    public async Task InitializeAsync()
    {
        nodes = await TestFleet.StartAsync(NodeOptions.Bookworm, NodeOptions.Trixie, NodeOptions.Bookworm);
        fleet = new DeployFleet(nodes, ("web", [0, 1]), ("api", [1, 2]));
        // The harness's per-host Ansible vars, under deploy's names and groups.
        var vars = (await nodes.InventoryAsync()).Split('\n').Where(l => l.Contains("ansible_host=")).ToDictionary(l => l.Split(' ', 2)[0], l => l.Split(' ', 2)[1]);
        fleet.Write("hosts.ini", $"[web]\nn1 {vars[nodes[0].Name]}\nn2 {vars[nodes[1].Name]}\n\n[api]\nn2\nn3 {vars[nodes[2].Name]}\n");
        secrets.Write("api-token", "t0ken-of-the-api\n");
        First = await WriteAndRunAsync(App.V1);
        Assert.True(First.ExitCode == 0, First.ToString());
    }

    /// <summary>Writes vz.yaml and the manifests with web at this version, and the playbook beside them (vzbuild playbook).</summary>
    public async Task WriteAsync(AppImage web)
    {
        Fleet.Write("pods/web.yaml", DeployFleet.Manifest("web", web, WebPort));
        Fleet.Write("pods/api.yaml", DeployFleet.Manifest("api", App.Api, ApiPort, securityContext: "\n  securityContext:\n    runAsUser: 0",
            extraMounts: "\n        - name: token\n          mountPath: /run/secrets/token\n          readOnly: true",
            extraVolumes: "\n    - name: token\n      secret: { secretName: token }"));
        Fleet.FleetFile(Fleet.PodEntry("web", web, WebPort, "web") + Fleet.PodEntry("api", App.Api, ApiPort, "api"),
            $"secrets:\n  token:\n    value: {{ file: {SecretFile} }}\n");
        var r = await Fleet.VzbuildAsync("playbook");
        Assert.True(r.Ok, r.StdOut + r.StdErr);
        WebVersion = web;
    }

    public async Task<PlaybookRun> WriteAndRunAsync(AppImage web)
    {
        await WriteAsync(web);
        return await PlaybookAsync();
    }

    /// <summary>The fleet as the test needs it: web at this version, deployed (a converged fleet costs one quick run).</summary>
    public async Task EnsureAsync(AppImage web)
    {
        var r = await WriteAndRunAsync(web);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>ansible-playbook -i hosts.ini deploy.yaml in the fleet directory (Debian's ansible, host key checking on).</summary>
    public async Task<PlaybookRun> PlaybookAsync(params string[] extra)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await ProcessRunner.RunAsync(new ProcessSpec("ansible-playbook", ["-i", "hosts.ini", "deploy.yaml", .. extra])
        {
            WorkingDirectory = Fleet.Path,
            Environment = new Dictionary<string, string?>
            {
                ["ANSIBLE_HOST_KEY_CHECKING"] = "True",
                ["ANSIBLE_NOCOLOR"] = "1",
                ["ANSIBLE_PIPELINING"] = "True",
                ["ANSIBLE_RETRY_FILES_ENABLED"] = "False",
            },
            Timeout = TimeSpan.FromMinutes(8),
        });
        return new PlaybookRun(r, clock.Elapsed);
    }

    /// <summary>A vars file encrypted with ansible-vault (its password in a file beside it), for -e @FILE --vault-password-file.</summary>
    public async Task<(string File, string Password)> VaultAsync(string yaml)
    {
        var password = secrets.Write("vault-password", "correct horse battery staple\n");
        var file = secrets.Write("vault.yml", yaml);
        var r = await ProcessRunner.RunAsync(new ProcessSpec("ansible-vault", ["encrypt", file, "--vault-password-file", password]) { Timeout = TimeSpan.FromMinutes(1) });
        Assert.True(r.Ok, r.StdOut + r.StdErr);
        Assert.StartsWith("$ANSIBLE_VAULT;", File.ReadAllText(file));
        return (file, password);
    }

    /// <summary>
    /// -e for images as deltas: vzbuild push --delta run on the controller by the role (the built
    /// vzbuild, the harness's known_hosts, the fleet's delta cache).
    /// </summary>
    public static string DeltaVars(string cacheDir) => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["vz_delta"] = true,
        ["vz_push_args"] = new[] { "--json" },
        ["vz_vzbuild"] = new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "vzbuild.dll") },
        ["vz_push_environment"] = new Dictionary<string, string>
        {
            ["VZ_KNOWN_HOSTS"] = VzNode.KnownHostsPath,
            ["VZ_SSH_CONFIG"] = "/dev/null",
            ["VZ_CACHE_DIR"] = cacheDir,
            ["VZ_VZPATCH"] = "",
        },
    });

    public async Task DisposeAsync()
    {
        fleet?.Dispose();
        secrets.Dispose();
        if (nodes is not null)
            await nodes.DisposeAsync();
    }
}
