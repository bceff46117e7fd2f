using Vz.Deploy.Layout;
using Vz.Deploy.Platform;
using Vz.Deploy.Yaml;

namespace Vz.Deploy.Pods;

/// <summary>
/// The manifest vz writes to a node: the validated model, rendered the same way every time, with
/// what the node needs made explicit so podman 4.3 and 5.x do the same thing:
/// imagePullPolicy Never (never pull), hostPort on every port (4.3 publishes containerPort by
/// itself, 5.x only with --publish-all), secret volumes as read-only bind mounts of the node's
/// 0400 files, env secrets as the pod's own podman secret, and :Z/:z on bind mounts where SELinux
/// enforces. No secret value is in it.
/// </summary>
public static class PodManifestWriter
{
    public static string Render(PodManifest m, NodeLayout layout, PlatformPlan plan)
    {
        var w = new YamlWriter()
            .Comment($"Written by vz for pod {m.Name} from {Path.GetFileName(m.File)}; vz rewrites it on every deploy.")
            .Field("apiVersion", "v1")
            .Field("kind", "Pod")
            .Map("metadata", md =>
            {
                md.Field("name", m.Name);
                if (m.Labels.Count > 0)
                    md.Map("labels", l => { foreach (var (k, v) in m.Labels) l.Field(k, v); });
                if (m.Annotations.Count > 0)
                    md.Map("annotations", a => { foreach (var (k, v) in m.Annotations) a.Field(k, v); });
            })
            .Map("spec", spec =>
            {
                spec.Field("restartPolicy", m.RestartPolicy.ToString());
                spec.FieldIf("hostname", m.Hostname);
                spec.FieldIf("shareProcessNamespace", m.ShareProcessNamespace);
                if (m.HostAliases.Count > 0)
                    spec.List("hostAliases", m.HostAliases, (a, h) => a.Field("ip", h.Ip).Strings("hostnames", h.Hostnames));
                if (m.Security is { } ps)
                    spec.Map("securityContext", s =>
                    {
                        s.FieldIf("runAsUser", ps.RunAsUser).FieldIf("runAsGroup", ps.RunAsGroup);
                        if (ps.SupplementalGroups.Count > 0)
                            s.Numbers("supplementalGroups", ps.SupplementalGroups);
                    });
                spec.List("containers", m.Containers, (c, ctr) => Container(c, ctr, m, plan));
                if (m.Volumes.Count > 0)
                    spec.List("volumes", m.Volumes, (v, vol) => Volume(v, vol, m.Name, layout));
            });
        return w.ToString();
    }

    static void Container(YamlWriter w, Container c, PodManifest m, PlatformPlan plan)
    {
        w.Field("name", c.Name).Field("image", c.Image).Field("imagePullPolicy", "Never");
        if (c.Command is not null) w.Strings("command", c.Command);
        if (c.Args is not null) w.Strings("args", c.Args);
        w.FieldIf("workingDir", c.WorkingDir);
        if (c.Env.Count > 0)
            w.List("env", c.Env, (e, v) =>
            {
                e.Field("name", v.Name);
                if (v.Secret is { } s)
                    e.Map("valueFrom", f => f.Map("secretKeyRef", k => k.Field("name", NodeLayout.PodmanSecret(m.Name, s.Name)).Field("key", s.Key)));
                else
                    e.Field("value", v.Value ?? "");
            });
        if (c.Ports.Count > 0)
            w.List("ports", c.Ports, (p, port) =>
            {
                p.FieldIf("name", port.Name).Field("containerPort", port.ContainerPort).Field("hostPort", port.HostPort)
                    .Field("protocol", port.Protocol == PortProtocol.Tcp ? "TCP" : "UDP").FieldIf("hostIP", port.HostIp);
            });
        var r = c.Resources;
        if (r.MemoryLimit is not null || r.CpuLimitMillis is not null || r.MemoryRequest is not null)
            w.Map("resources", res =>
            {
                // Bytes and millicores: one spelling per value, whatever the operator wrote.
                if (r.MemoryLimit is not null || r.CpuLimitMillis is not null)
                    res.Map("limits", l => l.FieldIf("memory", r.MemoryLimit?.ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .FieldIf("cpu", r.CpuLimitMillis is { } cpu ? $"{cpu}m" : null));
                if (r.MemoryRequest is { } req)
                    res.Map("requests", q => q.Field("memory", req.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            });
        if (c.Mounts.Count > 0)
            w.List("volumeMounts", c.Mounts, (mt, mount) =>
            {
                mt.Field("name", mount.Name).Field("mountPath", mount.MountPath + Label(m, mount, plan));
                if (mount.ReadOnly || m.Volumes.FirstOrDefault(v => v.Name == mount.Name)?.Source is SecretVolume)
                    mt.Field("readOnly", true);
            });
        if (c.Liveness is { } probe)
            w.Map("livenessProbe", lp =>
            {
                lp.Map("exec", e => e.Strings("command", probe.Command));
                lp.FieldIf("periodSeconds", probe.PeriodSeconds).FieldIf("failureThreshold", probe.FailureThreshold)
                    .FieldIf("timeoutSeconds", probe.TimeoutSeconds).FieldIf("initialDelaySeconds", probe.InitialDelaySeconds);
            });
        if (c.Security is { } s)
            w.Map("securityContext", sc =>
            {
                sc.FieldIf("runAsUser", s.RunAsUser).FieldIf("runAsGroup", s.RunAsGroup).FieldIf("readOnlyRootFilesystem", s.ReadOnlyRootFilesystem)
                    .FieldIf("allowPrivilegeEscalation", s.AllowPrivilegeEscalation).FieldIf("privileged", s.Privileged);
                if (s.CapAdd.Count > 0 || s.CapDrop.Count > 0)
                    sc.Map("capabilities", caps =>
                    {
                        if (s.CapAdd.Count > 0) caps.Strings("add", s.CapAdd);
                        if (s.CapDrop.Count > 0) caps.Strings("drop", s.CapDrop);
                    });
            });
    }

    /// <summary>
    /// The SELinux relabel option podman reads after ':' in mountPath: Z (private) when one
    /// container mounts a bind mount, z (shared) when several do; none for named volumes, which
    /// podman labels itself, and none where SELinux does not enforce.
    /// </summary>
    static string Label(PodManifest m, VolumeMount mount, PlatformPlan plan)
    {
        if (!plan.RelabelVolumes)
            return "";
        var source = m.Volumes.FirstOrDefault(v => v.Name == mount.Name)?.Source;
        if (source is not (HostPathVolume or SecretVolume))
            return "";
        var users = m.Containers.Count(c => c.Mounts.Any(x => x.Name == mount.Name));
        return users > 1 ? ":z" : ":Z";
    }

    static void Volume(YamlWriter w, Volume v, string pod, NodeLayout layout)
    {
        w.Field("name", v.Name);
        switch (v.Source)
        {
            case HostPathVolume h:
                w.Map("hostPath", hp => hp.Field("path", h.Path).FieldIf("type", h.Type));
                break;
            case ClaimVolume c:
                w.Map("persistentVolumeClaim", pvc => pvc.Field("claimName", c.ClaimName));
                break;
            case SecretVolume s:
                w.Map("hostPath", hp => hp.Field("path", layout.SecretDir(pod, s.SecretName)).Field("type", "Directory"));
                break;
        }
    }
}
