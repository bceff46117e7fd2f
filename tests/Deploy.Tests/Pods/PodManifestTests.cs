using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Tests.Pods;

public class PodManifestTests
{
    static PodManifest Read(string name) => PodManifestReader.Parse(PodFixtures.Text(name), name);

    static InvalidInputException Refused(string name) =>
        Assert.Throws<InvalidInputException>(() => PodManifestReader.Parse(PodFixtures.Text(name), name));

    static InvalidInputException RefusedText(string yaml) =>
        Assert.Throws<InvalidInputException>(() => PodManifestReader.Parse(yaml, "pod.yaml"));

    const string Head = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: localhost/x:1\n";

    [Fact]
    public void TheWebFixtureKeepsEveryFieldItDeclares()
    {
        var m = Read("fleet/pods/web.yaml");
        Assert.Equal("web", m.Name);
        var c = Assert.Single(m.Containers);
        Assert.Equal(("httpd", "localhost/web:1"), (c.Name, c.Image));
        Assert.Equal(["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"], c.Command);
        Assert.Equal(new PortMapping("http", 8080, 8080, PortProtocol.Tcp, null, 24), c.Ports.Single());
        Assert.Equal(new Resources(128L << 20, 64L << 20, 500), c.Resources);
        Assert.Equal(["GREETING", "DB_USER"], c.Env.Select(e => e.Name));
        Assert.Equal(("db", "user"), (c.Env[1].Secret!.Name, c.Env[1].Secret!.Key));
        Assert.Equal(30, c.Liveness!.PeriodSeconds);
        Assert.Equal([typeof(ClaimVolume), typeof(HostPathVolume), typeof(SecretVolume)], m.Volumes.Select(v => v.Source.GetType()));
        Assert.Equal(1000, m.SecretOwner("db-secret"));
        Assert.Equal(["db"], m.SecretNames);
        Assert.Equal(128L << 20, m.MemoryLimit);
    }

    [Fact]
    public void AContainerPortWithoutHostPortIsPublishedOnTheSameNumberAsPodman43Does()
    {
        var m = Read("fleet/pods/api.yaml");
        Assert.Equal([(9000, 9090), (9100, 9100), (5353, 5353)], m.Ports.Select(p => (p.ContainerPort, p.HostPort)));
        Assert.True(m.Ports.ElementAt(1).LoopbackOnly);
        Assert.Equal(PortProtocol.Udp, m.Ports.ElementAt(2).Protocol);
    }

    [Fact]
    public void AnUnknownFieldIsNamedWithFileLinePathAndANearSpelling()
    {
        var e = Refused("bad/unknown-field.yaml");
        Assert.Equal("VZ4002", e.Code);
        Assert.Equal("bad/unknown-field.yaml:10: spec.containers[0].workdir: unknown field (did you mean 'workingDir'?)", e.Message);
    }

    [Fact]
    public void RestartPolicyUnderMetadataIsReportedAsMisplacedInSpec()
    {
        var e = Refused("bad/misplaced-restart-policy.yaml");
        Assert.StartsWith("bad/misplaced-restart-policy.yaml:6: metadata.restartPolicy: misplaced: 'restartPolicy' belongs in spec", e.Message);
    }

    [Fact]
    public void ARegistryImageAndAPullPolicyAreBothRefused()
    {
        var e = Refused("bad/pulled-image.yaml");
        Assert.All(e.Problems, p => Assert.Equal("VZ4005", p.Code.Id));
        Assert.Equal([("spec.containers[0].image", 9), ("spec.containers[0].imagePullPolicy", 10)], e.Problems.Select(p => (p.Path, p.Line)));
        Assert.Contains("would be pulled", e.Problems[0].Why);
    }

    [Fact]
    public void APortOutOfRangeAndAHostPortPublishedTwiceAreBadPorts()
    {
        var e = Refused("bad/bad-port.yaml");
        Assert.Equal([("spec.containers[0].ports[0].containerPort", 11), ("spec.containers[0].ports[2]", 13)], e.Problems.Select(p => (p.Path, p.Line)));
        Assert.All(e.Problems, p => Assert.Equal(PodErrors.BadPort, p.Code));
        Assert.Contains("host port 8080/tcp is published twice", e.Problems[1].Why);
    }

    [Fact]
    public void DuplicateContainerVolumeAndEnvNamesAreEachReported()
    {
        var e = Refused("bad/duplicate-names.yaml");
        Assert.All(e.Problems, p => Assert.Equal(PodErrors.DuplicateName, p.Code));
        Assert.Equal(["spec.containers[0].env[1].name", "spec.containers[1].name", "spec.volumes[1].name"], e.Problems.Select(p => p.Path));
    }

    [Fact]
    public void ReadinessProbesAndHttpLivenessProbesAreRefusedWithWhatToUseInstead()
    {
        var e = Refused("bad/readiness-probe.yaml");
        Assert.Equal(["spec.containers[0].readinessProbe", "spec.containers[0].livenessProbe.httpGet"], e.Problems.Select(p => p.Path));
        Assert.Contains("health:", e.Problems[0].Why);
        Assert.Contains("curl", e.Problems[1].Why);
        Assert.Equal(PodErrors.UnsupportedProbe, e.Problems[1].Code);
    }

    [Fact]
    public void ASecretVolumeNeedsAKnownUserToOwnItsFiles()
    {
        var e = Refused("bad/secret-volume-without-user.yaml");
        Assert.Equal(PodErrors.BadSecretRef, e.Problems.Single().Code);
        Assert.Contains("runAsUser", e.Message);
    }

    [Fact]
    public void TheMessageIsTheFirstProblemAndTheHintListsTheRest()
    {
        var e = Refused("bad/duplicate-names.yaml");
        Assert.EndsWith("(and 2 more)", e.Message);
        Assert.Equal(2, e.Hint!.Split('\n').Length);
    }

    [Theory]
    [InlineData("      tty: true\n", "spec.containers[0].tty", "terminal")]
    [InlineData("      stdin: true\n", "spec.containers[0].stdin", "terminal")]
    [InlineData("      startupProbe: {}\n", "spec.containers[0].startupProbe", "4.3")]
    [InlineData("      lifecycle: {}\n", "spec.containers[0].lifecycle", "4.3")]
    [InlineData("      envFrom: []\n", "spec.containers[0].envFrom", "env:")]
    [InlineData("      imagePullPolicy: Always\n", "spec.containers[0].imagePullPolicy", "never pulls")]
    [InlineData("      resources: { limits: { memory: 4Mi } }\n", "spec.containers[0].resources.limits.memory", "6Mi")]
    [InlineData("      resources: { limits: { memory: 100m } }\n", "spec.containers[0].resources.limits.memory", "whole number")]
    [InlineData("      resources: { requests: { cpu: 1 } }\n", "spec.containers[0].resources.requests.cpu", "cpu requests")]
    [InlineData("      volumeMounts: [{ name: nope, mountPath: /x }]\n", "spec.containers[0].volumeMounts[0].name", "names no volume")]
    [InlineData("      volumeMounts: [{ name: v, mountPath: /x, subPath: a }]\n", "spec.containers[0].volumeMounts[0].subPath", "4.3")]
    [InlineData("      volumeMounts: [{ name: v, mountPath: '/x:Z' }]\n", "spec.containers[0].volumeMounts[0].mountPath", "per node")]
    [InlineData("      livenessProbe: { exec: { command: [sh, -c, 'wget -q localhost'] } }\n", "spec.containers[0].livenessProbe.exec.command[2]", "/bin/sh -c")]
    [InlineData("      livenessProbe: { tcpSocket: { port: 80 } }\n", "spec.containers[0].livenessProbe.tcpSocket", "nc")]
    [InlineData("      ports: [{ containerPort: 80, protocol: SCTP }]\n", "spec.containers[0].ports[0].protocol", "TCP or UDP")]
    [InlineData("      ports: [{ containerPort: '80' }]\n", "spec.containers[0].ports[0].containerPort", "whole number")]
    [InlineData("      workingDir: www\n", "spec.containers[0].workingDir", "absolute")]
    [InlineData("      securityContext: { runAsNonRoot: true }\n", "spec.containers[0].securityContext.runAsNonRoot", "runAsUser")]
    [InlineData("  hostNetwork: true\n", "spec.hostNetwork", "runc")]
    [InlineData("  initContainers: []\n", "spec.initContainers", "health check")]
    [InlineData("  restartPolicy: Never\n", "spec.restartPolicy", "Always or OnFailure")]
    [InlineData("  terminationGracePeriodSeconds: 5\n", "spec.terminationGracePeriodSeconds", "4.3")]
    [InlineData("  image: localhost/x:1\n", "spec.image", "belongs in spec.containers[]")]
    [InlineData("status: {}\n", "status", "cluster")]
    public void AFieldVzDoesNotHonorIsRefusedWithItsPathAndReason(string extra, string path, string because)
    {
        // Lines are appended under the container (6 spaces), under spec (2) or at the top (0).
        var yaml = extra.StartsWith("      ") ? Head + extra + "  volumes: [{ name: v, persistentVolumeClaim: { claimName: v } }]\n"
            : extra.StartsWith("  ") ? Head + extra : Head + extra;
        var e = RefusedText(yaml);
        var p = Assert.Single(e.Problems, p => p.Path == path);
        Assert.Contains(because, p.Why);
    }

    [Fact]
    public void AnUnusedVolumeIsReported()
    {
        var e = RefusedText(Head + "  volumes: [{ name: v, persistentVolumeClaim: { claimName: v } }]\n");
        Assert.Equal("pod.yaml:9: spec.volumes[0]: volume 'v' is mounted by no container", e.Message);
    }

    [Fact]
    public void PodmanSettingAnnotationsAreRefusedAndOthersKept()
    {
        var e = RefusedText(Head.Replace("  name: p\n", "  name: p\n  annotations:\n    io.containers.sdnotify: container\n"));
        Assert.Equal("metadata.annotations.io.containers.sdnotify", e.Problems.Single().Path);
        var m = PodManifestReader.Parse(Head.Replace("  name: p\n", "  name: p\n  annotations:\n    team: blue\n"), "pod.yaml");
        Assert.Equal("blue", m.Annotations.Single().Value);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Pod\nkind: Pod\n", "Duplicate key")]
    [InlineData("- a\n- b\n", "a mapping of keys")]
    [InlineData(Head + "---\n" + Head, "2 documents")]
    [InlineData("x: &a 1\ny: *a\n", "anchors")]
    [InlineData("a: [\n", "not valid YAML")]
    public void UnreadableOrAmbiguousYamlIsASyntaxProblem(string yaml, string because)
    {
        var e = RefusedText(yaml);
        Assert.Equal(PodErrors.ManifestSyntax, e.Error);
        Assert.Contains(because, e.Message);
    }

    [Fact]
    public void MissingRequiredFieldsAreNamed()
    {
        var e = RefusedText("apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers:\n    - name: c\n");
        Assert.Equal(["metadata.name", "spec.containers[0].image"], e.Problems.Select(p => p.Path));
        Assert.All(e.Problems, p => Assert.Equal(PodErrors.MissingField, p.Code));
    }
}
