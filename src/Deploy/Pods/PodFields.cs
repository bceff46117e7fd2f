namespace Vz.Deploy.Pods;

/// <summary>
/// Why a manifest field is refused. Podman kube play ignores unknown and misplaced fields without
/// a word (containers/podman#18332, #25081), so vz names each one: a field vz accepts elsewhere is
/// "misplaced", a Kubernetes field outside vz's subset gets its reason, anything else is unknown
/// (with a near spelling when there is one).
/// </summary>
public static class PodFields
{
    /// <summary>Levels of a Pod manifest and the keys vz accepts at each.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Accepted = new Dictionary<string, string[]>
    {
        ["top"] = ["apiVersion", "kind", "metadata", "spec"],
        ["metadata"] = ["name", "labels", "annotations"],
        ["spec"] = ["containers", "volumes", "restartPolicy", "hostname", "hostAliases", "shareProcessNamespace", "securityContext"],
        ["spec.securityContext"] = ["runAsUser", "runAsGroup", "supplementalGroups"],
        ["hostAliases[]"] = ["ip", "hostnames"],
        ["containers[]"] = ["name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "ports", "resources", "volumeMounts", "livenessProbe", "securityContext"],
        ["env[]"] = ["name", "value", "valueFrom"],
        ["valueFrom"] = ["secretKeyRef"],
        ["secretKeyRef"] = ["name", "key"],
        ["ports[]"] = ["name", "containerPort", "hostPort", "protocol", "hostIP"],
        ["resources"] = ["limits", "requests"],
        ["limits"] = ["memory", "cpu"],
        ["requests"] = ["memory"],
        ["volumeMounts[]"] = ["name", "mountPath", "readOnly"],
        ["livenessProbe"] = ["exec", "periodSeconds", "failureThreshold", "timeoutSeconds", "initialDelaySeconds"],
        ["exec"] = ["command"],
        ["containers[].securityContext"] = ["runAsUser", "runAsGroup", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "privileged", "capabilities"],
        ["capabilities"] = ["add", "drop"],
        ["volumes[]"] = ["name", "hostPath", "persistentVolumeClaim", "secret"],
        ["hostPath"] = ["path", "type"],
        ["persistentVolumeClaim"] = ["claimName"],
        ["secret"] = ["secretName"],
    };

    const string NotOn43 = "podman 4.3 (Debian 12, the oldest podman vz supports) ignores it";

    /// <summary>Kubernetes fields vz refuses on purpose, with why; keyed "level/key".</summary>
    static readonly Dictionary<string, string> Refused = new()
    {
        ["top/status"] = "status is written by a cluster, never by the operator",
        ["metadata/namespace"] = "podman has no namespaces; the fleet file places pods",
        ["metadata/generateName"] = "vz needs a fixed pod name: set metadata.name",
        ["spec/initContainers"] = "init containers exit by design while vz's health check wants every container running: run the step in the container's command",
        ["spec/ephemeralContainers"] = "debug containers are not part of a deployed pod",
        ["spec/hostNetwork"] = "vz publishes ports through the pod's own network and opens them in the firewall; host networking is what 'runtime: runc' in the fleet file gives",
        ["spec/hostPID"] = "not in vz's subset (the pod's processes stay in their own namespace)",
        ["spec/hostIPC"] = "not in vz's subset (the pod's IPC stays in its own namespace)",
        ["spec/hostUsers"] = "the user namespace is the node's decision (rootless or not), not the manifest's",
        ["spec/dnsConfig"] = "not in vz's subset yet",
        ["spec/dnsPolicy"] = "podman has no cluster DNS; the node's resolver applies",
        ["spec/nodeName"] = "the fleet file's groups place pods on nodes",
        ["spec/nodeSelector"] = "the fleet file's groups place pods on nodes",
        ["spec/affinity"] = "the fleet file's groups place pods on nodes",
        ["spec/tolerations"] = "the fleet file's groups place pods on nodes",
        ["spec/topologySpreadConstraints"] = "the fleet file's groups place pods on nodes",
        ["spec/serviceAccountName"] = "there is no Kubernetes API on a node",
        ["spec/serviceAccount"] = "there is no Kubernetes API on a node",
        ["spec/automountServiceAccountToken"] = "there is no Kubernetes API on a node",
        ["spec/imagePullSecrets"] = "vz never pulls images: it ships them with the deploy",
        ["spec/terminationGracePeriodSeconds"] = $"{NotOn43} (5.x honors it)",
        ["spec/runtimeClassName"] = "the runtime is the fleet file's 'runtime:' key",
        ["spec/activeDeadlineSeconds"] = "vz runs services, which have no deadline",
        ["spec/priorityClassName"] = "there is no scheduler on a node",
        ["spec/priority"] = "there is no scheduler on a node",
        ["spec/schedulerName"] = "there is no scheduler on a node",
        ["spec/readinessGates"] = "podman does not run readiness checks; the fleet file's health: is vz's readiness check",
        ["spec/enableServiceLinks"] = "there are no Kubernetes services on a node",
        ["spec/subdomain"] = "there is no cluster DNS on a node",
        ["spec/setHostnameAsFQDN"] = NotOn43,
        ["spec/os"] = NotOn43,
        ["spec/overhead"] = NotOn43,
        ["spec.securityContext/fsGroup"] = NotOn43,
        ["spec.securityContext/runAsNonRoot"] = "podman does not check it: set runAsUser",
        ["spec.securityContext/seLinuxOptions"] = "SELinux labels are decided per node by vz (volumes get :Z where SELinux enforces)",
        ["spec.securityContext/sysctls"] = NotOn43,
        ["spec.securityContext/seccompProfile"] = NotOn43 + " (it reads seccomp from annotations)",
        ["containers[]/readinessProbe"] = "podman does not run readiness probes: the fleet file's health: checks the pod from the node after each switch",
        ["containers[]/startupProbe"] = $"{NotOn43}, and 5.x runs it with tools inside the container: use the fleet file's health:",
        ["containers[]/lifecycle"] = NotOn43,
        ["containers[]/envFrom"] = "list each variable under env: (secrets as env[].valueFrom.secretKeyRef or a secret volume)",
        ["containers[]/stdin"] = "a service has no terminal",
        ["containers[]/stdinOnce"] = "a service has no terminal",
        ["containers[]/tty"] = "a service has no terminal (its output goes to the journal)",
        ["containers[]/terminationMessagePath"] = "podman ignores it",
        ["containers[]/terminationMessagePolicy"] = "podman ignores it",
        ["containers[]/volumeDevices"] = "not in vz's subset",
        ["containers[]/resizePolicy"] = "podman ignores it",
        ["containers[]/restartPolicy"] = "set spec.restartPolicy for the pod (containers in a podman pod share it)",
        ["valueFrom/configMapKeyRef"] = "config maps need --configmap files on the node: write the value under env[].value",
        ["valueFrom/fieldRef"] = "not in vz's subset: write the value under env[].value",
        ["valueFrom/resourceFieldRef"] = "not in vz's subset: write the value under env[].value",
        ["secretKeyRef/optional"] = "vz checks every secret exists before a deploy: a missing one is an error, never silently empty",
        ["resources/claims"] = "not in vz's subset",
        ["limits/ephemeral-storage"] = "podman does not limit storage per container",
        ["requests/cpu"] = "podman ignores cpu requests (limits.cpu becomes a CPU quota)",
        ["requests/ephemeral-storage"] = "podman does not limit storage per container",
        ["volumeMounts[]/subPath"] = $"{NotOn43} (5.x honors it): mount the whole volume",
        ["volumeMounts[]/subPathExpr"] = NotOn43,
        ["volumeMounts[]/mountPropagation"] = "not in vz's subset",
        ["volumeMounts[]/recursiveReadOnly"] = NotOn43,
        ["livenessProbe/httpGet"] = "podman runs it as curl inside the container, which a minified image lacks: use the fleet file's health.http (checked from the node) or an exec probe",
        ["livenessProbe/tcpSocket"] = "podman runs it as nc inside the container, which a minified image lacks: use the fleet file's health.tcp (checked from the node) or an exec probe",
        ["livenessProbe/grpc"] = "podman does not run grpc probes",
        ["livenessProbe/successThreshold"] = "podman ignores it (Kubernetes requires 1 for liveness)",
        ["livenessProbe/terminationGracePeriodSeconds"] = "podman ignores it",
        ["containers[].securityContext/runAsNonRoot"] = "podman does not check it: set runAsUser",
        ["containers[].securityContext/seLinuxOptions"] = "SELinux labels are decided per node by vz (volumes get :Z where SELinux enforces)",
        ["containers[].securityContext/seccompProfile"] = NotOn43 + " (it reads seccomp from annotations)",
        ["containers[].securityContext/procMount"] = "not in vz's subset",
        ["containers[].securityContext/windowsOptions"] = "nodes run Linux",
        ["containers[].securityContext/appArmorProfile"] = NotOn43,
        ["volumes[]/emptyDir"] = "podman makes an anonymous volume per start that nothing removes: use a persistentVolumeClaim (kept) or the container's own /tmp",
        ["volumes[]/configMap"] = "config maps need --configmap files on the node: use a hostPath or a secret volume",
        ["volumes[]/downwardAPI"] = "not in vz's subset",
        ["volumes[]/projected"] = "not in vz's subset",
        ["volumes[]/nfs"] = "podman kube play supports hostPath, persistentVolumeClaim, configMap, secret and emptyDir only",
        ["persistentVolumeClaim/readOnly"] = "podman ignores it here: set readOnly on the volumeMount",
        ["secret/items"] = "vz writes every key of the secret as one file named after the key",
        ["secret/defaultMode"] = "vz writes secret files 0400, owned by the container's runAsUser",
        ["secret/optional"] = "vz checks every secret exists before a deploy: a missing one is an error, never silently empty",
    };

    /// <summary>The rest of the Kubernetes v1 Pod fields, so they read "outside vz's subset" rather than "unknown".</summary>
    static readonly Dictionary<string, string[]> OtherKubernetes = new()
    {
        ["metadata"] = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields", "selfLink"],
        ["spec"] = ["preemptionPolicy", "resourceClaims", "schedulingGates"],
        ["ports[]"] = [],
        ["volumes[]"] = ["awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "image", "iscsi", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume"],
    };

    /// <summary>Why KEY at LEVEL is refused.</summary>
    public static string Why(string level, string key)
    {
        if (Refused.TryGetValue($"{level}/{key}", out var why))
            return $"not accepted: {why}";
        var elsewhere = Accepted.Where(kv => kv.Key != level && kv.Value.Contains(key)).Select(kv => kv.Key).ToList();
        if (elsewhere.Count == 1)
            return $"misplaced: '{key}' belongs in {Describe(elsewhere[0])}, where podman reads it (here podman would ignore it)";
        if (OtherKubernetes.TryGetValue(level, out var other) && other.Contains(key))
            return "a Kubernetes field outside vz's subset (podman 4.3 ignores it or vz cannot keep it)";
        var near = Accepted.TryGetValue(level, out var keys) ? Nearest(key, keys) : null;
        return near is null ? "unknown field" : $"unknown field (did you mean '{near}'?)";
    }

    static string Describe(string level) => level switch
    {
        "top" => "the top level",
        "spec" => "spec",
        "metadata" => "metadata",
        "containers[]" => "spec.containers[]",
        "volumes[]" => "spec.volumes[]",
        "spec.securityContext" => "spec.securityContext",
        "containers[].securityContext" => "spec.containers[].securityContext",
        _ => level,
    };

    /// <summary>An accepted key one or two edits away, or equal ignoring case (podman's Go decoder would match those).</summary>
    static string? Nearest(string key, string[] keys) =>
        keys.Select(k => (k, d: string.Equals(k, key, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(k.ToLowerInvariant(), key.ToLowerInvariant())))
            .Where(x => x.d <= Math.Max(2, x.k.Length / 3) || (x.k.Length > 4 && (x.k.Contains(key, StringComparison.OrdinalIgnoreCase) || key.Contains(x.k, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(x => x.d).Select(x => x.k).FirstOrDefault();

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
