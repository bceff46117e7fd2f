using Vz.Deploy.Fleet;
using Vz.Deploy.Pods;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Runc;

/// <summary>
/// What a pod with <c>runtime: runc</c> cannot have, checked with the fleet file (before any node is
/// touched), each problem naming the manifest's file, line and field (VZ4501). A runc pod is one
/// container on the node's own network, with a read-only root and no container manager beside it:
/// no port mapping (the app binds its ports itself), no address to bind for it, no health check run
/// inside it, no privileged mode, no writable root, no /etc/hosts of its own.
/// </summary>
public static class RuncRules
{
    public static void Check(PodEntry pod, PodManifest m, Problems problems)
    {
        var file = pod.ManifestAsWritten;
        void Add(int line, string path, string why) => problems.AddIn(file, RuncErrors.NotForRunc, line, path, why);
        if (m.HostAliases.Count > 0)
            Add(m.Line, "spec.hostAliases", "a runc pod reads the node's /etc/hosts (host network): add the names there, or run the pod with podman");
        foreach (var (c, i) in m.Containers.Select((c, i) => (c, i)))
        {
            var at = $"spec.containers[{i}]";
            foreach (var (p, j) in c.Ports.Select((p, j) => (p, j)))
            {
                if (p.HostPort != p.ContainerPort)
                    Add(p.Line, $"{at}.ports[{j}].hostPort",
                        $"{p.HostPort}, but a runc pod shares the node's network and cannot map ports: the app listens on {p.ContainerPort} itself (set hostPort to it, or change the app's port)");
                if (p.HostIp is not null)
                    Add(p.Line, $"{at}.ports[{j}].hostIP", "a runc pod shares the node's network: the app chooses the address it binds; vz cannot");
            }
            if (c.Liveness is not null)
                Add(c.Line, $"{at}.livenessProbe", "runc runs no health check inside the container: the fleet file's health: checks it from the node");
            if (c.Security?.Privileged == true)
                Add(c.Line, $"{at}.securityContext.privileged", "vz does not run privileged runc containers");
            if (c.Security?.ReadOnlyRootFilesystem == false)
                Add(c.Line, $"{at}.securityContext.readOnlyRootFilesystem",
                    "false, but a runc pod's root is the image version's one unpacked copy, shared by its releases: it stays read-only (write to a volume, /tmp or /run)");
        }
    }
}
