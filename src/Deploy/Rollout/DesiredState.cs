using System.Security.Cryptography;
using System.Text;
using Vz.Deploy.Fleet;
using Vz.Deploy.Layout;
using Vz.Deploy.Pods;

namespace Vz.Deploy.Rollout;

/// <summary>
/// A pod's desired state on one node, as the release record vz would write: the digests of the
/// manifest and unit it would write, of each image archive, and a keyed digest of the secret
/// values. Equal records mean "unchanged": nothing is uploaded or restarted.
/// </summary>
public static class DesiredState
{
    public static ReleaseRecord For(string pod, string manifestText, string unitText, IEnumerable<KeyValuePair<string, string>> imageArchiveShas, string secretsDigest) => new()
    {
        Pod = pod,
        Manifest = Sha256(manifestText),
        Unit = Sha256(unitText),
        Images = imageArchiveShas.OrderBy(i => i.Key, StringComparer.Ordinal).ToList(),
        Secrets = secretsDigest,
    };

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// HMAC-SHA256 of the pod's secret values keyed by the node's salt (~/.vz/secrets/.salt, made
    /// at the node's first deploy). A changed value changes the release, so the pod restarts with
    /// it; the record on the node never holds a plain hash of a (perhaps short) value. "" when the
    /// pod uses no secret. Values are taken in (secret, key) order, length-prefixed.
    /// </summary>
    public static string SecretsDigest(string salt, IEnumerable<(string Secret, string Key, byte[] Value)> values)
    {
        var list = values.OrderBy(v => v.Secret, StringComparer.Ordinal).ThenBy(v => v.Key, StringComparer.Ordinal).ToList();
        if (list.Count == 0)
            return "";
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(salt));
        using var ms = new MemoryStream();
        foreach (var (s, k, v) in list)
        {
            var head = Encoding.UTF8.GetBytes($"{s}\0{k}\0{v.Length}\0");
            ms.Write(head);
            ms.Write(v);
        }
        return Convert.ToHexStringLower(hmac.ComputeHash(ms.ToArray()));
    }

    /// <summary>The values of the secrets a pod uses, read on the operator's machine (never logged).</summary>
    public static IReadOnlyList<(string Secret, string Key, byte[] Value)> SecretValues(FleetFile fleet, PodManifest manifest, IFleetSources sources)
    {
        var result = new List<(string, string, byte[])>();
        foreach (var name in manifest.SecretNames)
            foreach (var key in fleet.Secret(name)?.Keys ?? [])
            {
                var text = key.Source switch
                {
                    FileSecret f => sources.ReadText(f.Path),
                    EnvSecret e => sources.Environment(e.Variable),
                    _ => null,
                };
                if (string.IsNullOrEmpty(text))
                    throw new VzException(PodErrors.SecretUnavailable, $"secret {name}.{key.Key}: its source is missing or empty");
                result.Add((name, key.Key, Encoding.UTF8.GetBytes(text)));
            }
        return result;
    }

    /// <summary>
    /// The content of the podman secret vz-POD-SECRET for env[].valueFrom.secretKeyRef: JSON of
    /// key to base64 value, which podman 4.3's kube play decodes (map[string][]byte) and 5.x still
    /// reads first. It crosses to the node as an uploaded file, never on a command line.
    /// </summary>
    public static byte[] PodmanSecretJson(IEnumerable<(string Key, byte[] Value)> keys)
    {
        var sb = new StringBuilder("{");
        foreach (var (k, v) in keys.OrderBy(k => k.Key, StringComparer.Ordinal))
            sb.Append(sb.Length > 1 ? "," : "").Append(System.Text.Json.JsonSerializer.Serialize(k)).Append(':').Append('"').Append(Convert.ToBase64String(v)).Append('"');
        return Encoding.UTF8.GetBytes(sb.Append('}').ToString());
    }
}
