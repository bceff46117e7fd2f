using Vz.Deploy.Pods;

namespace Vz.Deploy.Tests.Pods;

public class PodManifestWriterTests
{
    static readonly PodManifest Web = Nodes.Manifest("fleet/pods/web.yaml");

    [Fact]
    public void TheWebPodOnDebian12IsWrittenAsTheGoldenFile()
    {
        var (plan, layout) = Nodes.On("debian-12", Web);
        Golden.Match("web.debian-12.pod.yaml", PodManifestWriter.Render(Web, layout, plan));
    }

    [Fact]
    public void TheWebPodOnRocky9RelabelsItsBindMountsForSelinux()
    {
        var (plan, layout) = Nodes.On("rocky-9", Web);
        var text = PodManifestWriter.Render(Web, layout, plan);
        Golden.Match("web.rocky-9.pod.yaml", text);
        Assert.Contains("mountPath: \"/uploads:Z\"", text);
        Assert.Contains("mountPath: \"/run/secrets/db:Z\"", text);
        Assert.Contains("mountPath: \"/data\"\n", text);
    }

    [Fact]
    public void SecretsBecomeTheNodesFilesAndThePodsOwnPodmanSecretWithNoValue()
    {
        var (plan, layout) = Nodes.On("debian-12", Web);
        var text = PodManifestWriter.Render(Web, layout, plan);
        Assert.Contains("path: \"/root/.vz/secrets/web/db\"\n        type: \"Directory\"", text);
        Assert.Contains("name: \"vz-web-db\"\n              key: \"user\"", text);
        Assert.DoesNotContain("secretName", text);
    }

    [Fact]
    public void EveryContainerGetsPullPolicyNeverAndEveryPortAnExplicitHostPort()
    {
        var api = Nodes.Manifest("fleet/pods/api.yaml");
        var (plan, layout) = Nodes.On("debian-13", api);
        var text = PodManifestWriter.Render(api, layout, plan);
        Assert.Equal(2, text.Split("imagePullPolicy: \"Never\"").Length - 1);
        Assert.Equal(3, text.Split("hostPort:").Length - 1);
    }

    [Theory]
    [InlineData("issue9/pods/web.yaml")]
    [InlineData("fleet/pods/api.yaml")]
    public void AManifestWithoutSecretsOrLabelsReadsBackAsTheSameModel(string fixture)
    {
        var m = Nodes.Manifest(fixture);
        var (plan, layout) = Nodes.On("debian-13", m);
        var back = PodManifestReader.Parse(PodManifestWriter.Render(m, layout, plan), "node.yaml");
        Assert.Equal(Strip(m), Strip(back));
    }

    [Fact]
    public void RenderingTwiceGivesTheSameBytes()
    {
        var (plan, layout) = Nodes.On("rocky-8", Web);
        Assert.Equal(PodManifestWriter.Render(Web, layout, plan), PodManifestWriter.Render(Nodes.Manifest("fleet/pods/web.yaml"), layout, plan));
    }

    /// <summary>The model without where it was read (file, lines).</summary>
    static string Strip(PodManifest m) => System.Text.Json.JsonSerializer.Serialize(new
    {
        m.Name, m.RestartPolicy, m.Hostname, m.Labels, m.Annotations,
        Containers = m.Containers.Select(c => new
        {
            c.Name, c.Image, c.Command, c.Args, c.WorkingDir, c.Env, c.Resources, c.Liveness, c.Security,
            Ports = c.Ports.Select(p => p with { Line = 0 }),
            Mounts = c.Mounts.Select(x => x with { Line = 0 }),
        }),
        Volumes = m.Volumes.Select(v => v with { Line = 0 }),
    });
}
