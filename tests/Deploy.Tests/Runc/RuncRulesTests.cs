using Vz.Deploy.Runc;
using Vz.Deploy.Tests.Fleet;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Tests.Runc;

public class RuncRulesTests
{
    [Fact]
    public void TheRuncFixtureFleetLoadsAsARuncPod()
    {
        using var t = new TempFleet("runc/web.oci.tar");
        var fleet = t.Load("runc/vz.yaml");
        Assert.Equal(Vz.Deploy.Fleet.PodRuntime.Runc, fleet.File.Pods.Single().Runtime);
    }

    [Fact]
    public void WhatARuncPodCannotHonorIsRefusedNamingManifestLineAndField()
    {
        using var t = new TempFleet("runc/web.oci.tar");
        File.WriteAllText(t.PathOf("runc/web.yaml"), """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              hostAliases:
                - ip: 10.0.0.9
                  hostnames: [db]
              containers:
                - name: app
                  image: localhost/web:1
                  ports:
                    - containerPort: 8080
                      hostPort: 18080
                    - containerPort: 9090
                      hostIP: 127.0.0.1
                  livenessProbe:
                    exec: { command: [/bin/true] }
                  securityContext:
                    privileged: true
                    readOnlyRootFilesystem: false
            """);
        File.WriteAllText(t.PathOf("runc/vz.yaml"), """
            inventory: hosts.ini
            pods:
              - name: web
                manifest: web.yaml
                groups: [web]
                runtime: runc
                images:
                  localhost/web:1: web.oci.tar
                health:
                  http: { port: 18080, path: / }
            """);
        var e = Assert.Throws<InvalidInputException>(() => t.Load("runc/vz.yaml"));
        var runc = e.Problems.Where(p => p.Code == RuncErrors.NotForRunc).Select(p => p.ToString()).ToList();
        Assert.Equal(
        [
            "web.yaml:4: spec.hostAliases: a runc pod reads the node's /etc/hosts (host network): add the names there, or run the pod with podman",
            "web.yaml:10: spec.containers[0].livenessProbe: runc runs no health check inside the container: the fleet file's health: checks it from the node",
            "web.yaml:10: spec.containers[0].securityContext.privileged: vz does not run privileged runc containers",
            "web.yaml:10: spec.containers[0].securityContext.readOnlyRootFilesystem: false, but a runc pod's root is the image version's one unpacked copy, shared by its releases: it stays read-only (write to a volume, /tmp or /run)",
            "web.yaml:13: spec.containers[0].ports[0].hostPort: 18080, but a runc pod shares the node's network and cannot map ports: the app listens on 8080 itself (set hostPort to it, or change the app's port)",
            "web.yaml:15: spec.containers[0].ports[1].hostIP: a runc pod shares the node's network: the app chooses the address it binds; vz cannot",
        ], runc);
    }
}
