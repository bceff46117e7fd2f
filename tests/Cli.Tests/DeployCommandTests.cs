using Vz.Cli.Commands;
using Vz.Deploy.Apply;
using Vz.Deploy.Rollout;
using Vz.Deploy.Ssh;
using Vz.Deploy.Transport;
using Vz.Tests;

namespace Vz.Cli.Tests;

/// <summary>
/// vzbuild deploy refuses a bad fleet (every manifest and fleet-file mistake) before it opens a
/// connection: each case runs the command in-process with a connector that counts connections.
/// </summary>
public sealed class DeployCommandTests : IDisposable
{
    readonly TempDir dir = new("vz-cli-deploy-");

    /// <summary>Counts connections; any is a failure of these tests.</summary>
    sealed class CountingConnector : INodeConnector
    {
        public int Connects;

        public Task<INodeTransport> ConnectAsync(NodeTarget target, CancellationToken ct)
        {
            Interlocked.Increment(ref Connects);
            throw new TransportException("no node here");
        }
    }

    const string GoodManifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: httpd
              image: localhost/web:1
              ports:
                - containerPort: 8080
        """;

    static string FleetFile(string images = "      localhost/web:1: build/web.oci.tar\n", string secrets = "") =>
        "inventory: hosts.ini\n" +
        "pods:\n" +
        "  - name: web\n" +
        "    manifest: pods/web.yaml\n" +
        "    groups: [web]\n" +
        "    images:\n" + images +
        "    health:\n" +
        "      http: { port: 8080, path: / }\n" + secrets;

    /// <summary>Writes a fleet directory (inventory with one unroutable host) and returns its vz.yaml.</summary>
    string Fleet(string manifest, string? fleetFile = null)
    {
        File.WriteAllText(dir["hosts.ini"], "[web]\nn1 ansible_host=192.0.2.1 ansible_user=root\n");
        Directory.CreateDirectory(dir["pods"]);
        Directory.CreateDirectory(dir["build"]);
        File.WriteAllText(dir["pods/web.yaml"], manifest);
        File.WriteAllText(dir["build/web.oci.tar"], "");
        File.WriteAllText(dir["vz.yaml"], fleetFile ?? FleetFile());
        return dir["vz.yaml"];
    }

    async Task<(int Exit, string Stderr, int Connects)> DeployAsync(string fleetFile)
    {
        var connector = new CountingConnector();
        var stderr = new StringWriter();
        var options = new DeployCommand.DeployCommandOptions(fleetFile, null, null, Json: true,
            new DeployOptions { CacheDir = dir["cache"] },
            new SshOptions { ConfigFile = "/dev/null", KnownHostsFile = dir["known_hosts"], IdentityFiles = [] });
        var exit = await CommandAction.RunAsync(
            () => DeployCommand.RunAsync(options, new CollectingReporter(), new StringWriter(), stderr, CancellationToken.None, connector), stderr);
        return (exit, stderr.ToString(), connector.Connects);
    }

    [Theory]
    [InlineData("unknown-field", "VZ4002", "web.yaml:10: spec.containers[0].workdir: unknown field")]
    [InlineData("misplaced-restart-policy", "VZ4002", "web.yaml:6: metadata.restartPolicy: misplaced")]
    [InlineData("pulled-image", "VZ4005", "web.yaml:9: spec.containers[0].image: ")]
    [InlineData("bad-port", "VZ4006", "web.yaml:11: spec.containers[0].ports[0].containerPort: ")]
    [InlineData("duplicate-names", "VZ4007", "web.yaml:12: spec.containers[0].env[1].name: ")]
    public async Task ABadManifestIsRefusedNamingFileLineAndFieldBeforeAnyNodeIsContacted(string fixture, string code, string where)
    {
        var manifest = File.ReadAllText(RepoRoot.Combine("fixtures", "pods", "bad", fixture + ".yaml"));

        var (exit, stderr, connects) = await DeployAsync(Fleet(manifest));

        Assert.Equal((ExitCodes.Error, 0), (exit, connects));
        Assert.StartsWith($"vzbuild: error {code}: pods/", stderr);
        Assert.Contains(where, stderr);
    }

    [Fact]
    public async Task AMissingArchiveIsRefusedNamingTheFleetFileLineAndKey()
    {
        var fleet = Fleet(GoodManifest);
        File.Delete(dir["build/web.oci.tar"]);

        var (exit, stderr, connects) = await DeployAsync(fleet);

        Assert.Equal((ExitCodes.Error, 0), (exit, connects));
        Assert.StartsWith("vzbuild: error VZ4106: vz.yaml:7: pods[0].images.localhost/web:1: archive build/web.oci.tar does not exist", stderr);
    }

    [Fact]
    public async Task AMissingSecretFileIsRefusedNamingTheFleetFileLineAndKey()
    {
        var withSecret = GoodManifest + """

                  env:
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef: { name: db, key: password }
            """;
        var fleet = Fleet(withSecret, FleetFile(secrets: $"secrets:\n  db:\n    password: {{ file: {dir["nowhere/db-password"]} }}\n"));

        var (exit, stderr, connects) = await DeployAsync(fleet);

        Assert.Equal((ExitCodes.Error, 0), (exit, connects));
        Assert.Contains("vz.yaml:12: secrets.db.password.file: ", stderr);
        Assert.Contains("does not exist", stderr);
        Assert.StartsWith("vzbuild: error VZ4109:", stderr);
    }

    [Fact]
    public async Task AnUnknownFleetKeyAndAPodNamedTwiceAreRefusedTogether()
    {
        var fleet = Fleet(GoodManifest, FleetFile() + "  - name: web\n    manifest: pods/web.yaml\n    groups: [web]\n    images: {}\n    replicas: 2\n");

        var (exit, stderr, connects) = await DeployAsync(fleet);

        Assert.Equal((ExitCodes.Error, 0), (exit, connects));
        Assert.Contains("vz.yaml:10: pods[1].name: pod 'web' is declared twice", stderr);
        Assert.Contains("vz.yaml:14: pods[1].replicas: unknown key", stderr);
    }

    [Fact]
    public async Task AnArchiveThatIsNoImageIsRefusedBeforeAnyNodeIsContacted()
    {
        var (exit, stderr, connects) = await DeployAsync(Fleet(GoodManifest));

        Assert.Equal((ExitCodes.Error, 0), (exit, connects));
        Assert.StartsWith("vzbuild: error VZ3020:", stderr);
    }

    [Theory]
    [InlineData(FleetOutcome.AllOk, 0, ExitCodes.Ok)]
    [InlineData(FleetOutcome.RolledBack, 0, ExitCodes.RolledBack)]
    [InlineData(FleetOutcome.SomeFailed, 0, ExitCodes.PartialFailure)]
    [InlineData(FleetOutcome.AllFailed, 0, ExitCodes.AllFailed)]
    [InlineData(FleetOutcome.RolledBack, 1, ExitCodes.InternalError)]
    public void DeploysExitCodeFollowsTheFleetOutcomeAndABugWins(FleetOutcome outcome, int bugs, int expected) =>
        Assert.Equal(expected, ExitCodes.ForDeploy(outcome, bugs));

    public void Dispose() => dir.Dispose();
}
