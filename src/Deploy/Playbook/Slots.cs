using System.Text;

namespace Vz.Deploy.Playbook;

/// <summary>
/// A value only the node (or the run) knows, which vz's renderers take as an argument: the home
/// directory, podman's path, the release ID, the lock token. The generator renders with
/// <see cref="Token"/> in its place and <see cref="JinjaText"/> turns each token into
/// <c>{{ Variable }}</c>. A token is made of characters that no renderer quotes or escapes
/// (Sh.Quote, UnitWriter.Word, YamlWriter.Quote leave them alone), and the role admits only real
/// values of the same characters (<see cref="SafeValue"/>), so the template filled in with a value
/// gives the bytes the renderer gives for that value.
/// </summary>
public sealed record Slot(string Token, string Variable);

/// <summary>Every slot the role's templates use, with the role variable that fills it.</summary>
public static class Slots
{
    /// <summary>The login user's home directory (the probe's home=).</summary>
    public static readonly Slot Home = new("/__vz_home__", "vz_home");
    /// <summary>podman's path (the probe's podman_path=).</summary>
    public static readonly Slot Podman = new("/__vz_podman__", "vz_podman_path");

    /// <summary>The release being installed: the first 16 hex digits of its digest.</summary>
    public static readonly Slot Release = new("__vz_release_id__", "vz_release_id");
    /// <summary>The release the switch leaves, as Sh.Quote writes it ('' for none).</summary>
    public static readonly Slot From = new("__vz_from_word__", "vz_from_word");
    public static readonly Slot ManifestSha = new("__vz_sha_manifest__", "vz_sha_manifest");
    public static readonly Slot UnitSha = new("__vz_sha_unit__", "vz_sha_unit");
    public static readonly Slot RecordSha = new("__vz_sha_record__", "vz_sha_record");
    public static readonly Slot RestoreSha = new("__vz_sha_restore__", "vz_sha_restore");
    public static readonly Slot SecretsDigest = new("__vz_secrets_hmac__", "vz_secrets_hmac");
    public static readonly Slot Digest = new("__vz_release_digest__", "vz_release_digest");

    /// <summary>Who deploys (user@host of the controller) and when (UTC, second precision).</summary>
    public static readonly Slot Who = new("__vz_who__", "vz_who_word");
    public static readonly Slot When = new("__vz_when__", "vz_now");
    /// <summary>The history event (deploy or update) and its detail ("" or "from ID").</summary>
    public static readonly Slot Event = new("__vz_event__", "vz_event");
    public static readonly Slot Detail = new("__vz_detail__", "vz_detail");

    /// <summary>The pod service's invocation before the switch (Switch prints it), as Sh.Quote writes it ('' for none).</summary>
    public static readonly Slot Invocation = new("__vz_invocation_word__", "vz_invocation_word");

    public static readonly Slot LockToken = new("__vz_lock_token__", "vz_lock_token");
    public static readonly Slot LockWhat = new("__vz_lock_what__", "vz_lock_what");

    /// <summary>An image of a pod: its archive's sha256 and its store directory name.</summary>
    public static readonly Slot ImageSha = new("__vz_image_sha__", "vz_image.sha256");
    public static readonly Slot ImageStore = new("__vz_image_store__", "vz_image.store");

    public static readonly IReadOnlyList<Slot> All =
    [
        Home, Podman, Release, From, ManifestSha, UnitSha, RecordSha, RestoreSha, SecretsDigest, Digest,
        Who, When, Event, Detail, Invocation, LockToken, LockWhat, ImageSha, ImageStore,
    ];

    /// <summary>
    /// The characters a real value may have for its template to give the renderer's bytes: those
    /// Sh.Quote leaves bare, minus what systemd (%, $) or YAML would escape. The role checks home
    /// and podman's path against the same pattern (roles/vz_pod/tasks/node.yml).
    /// </summary>
    public const string SafeValue = "^[A-Za-z0-9/._@+,:=-]+$";
}

/// <summary>
/// Turns text a vz renderer wrote (with slot tokens in it) into a Jinja2 template of the same
/// bytes: each token becomes <c>{{ variable }}</c>, and each literal "{{", "{%" or "{#" (podman's
/// Go templates in vz's scripts) becomes <c>{{ '{{' }}</c>. Nothing else is Jinja syntax outside a
/// tag, so no block tags are written and trim_blocks/lstrip_blocks cannot touch a byte. Ansible's
/// template lookup keeps trailing newlines and backslashes as they are (checked on the nodes).
/// </summary>
public static class JinjaText
{
    public static string From(string rendered, IReadOnlyList<Slot>? slots = null)
    {
        slots ??= Slots.All;
        var ordered = slots.OrderByDescending(s => s.Token.Length).ToList();
        var sb = new StringBuilder(rendered.Length + 64);
        for (var i = 0; i < rendered.Length;)
        {
            var slot = ordered.FirstOrDefault(s => string.CompareOrdinal(rendered, i, s.Token, 0, s.Token.Length) == 0);
            if (slot is not null)
            {
                sb.Append("{{ ").Append(slot.Variable).Append(" }}");
                i += slot.Token.Length;
                continue;
            }
            if (rendered[i] == '{' && i + 1 < rendered.Length && rendered[i + 1] is '{' or '%' or '#')
            {
                sb.Append("{{ '").Append(rendered, i, 2).Append("' }}");
                i += 2;
                continue;
            }
            sb.Append(rendered[i]);
            i++;
        }
        var text = sb.ToString();
        var left = text.IndexOf("__vz_", StringComparison.Ordinal);
        if (left >= 0)
            throw new InvalidOperationException($"a slot token no slot names is left in a template: {text.Substring(left, Math.Min(40, text.Length - left))}");
        return text;
    }

    /// <summary>
    /// What Jinja gives for a template <see cref="From"/> wrote, with each variable's value: the
    /// inverse the tests check the conversion against (only the two tag forms From writes).
    /// </summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(template.Length);
        for (var i = 0; i < template.Length;)
        {
            if (string.CompareOrdinal(template, i, "{{ ", 0, 3) == 0)
            {
                var end = template.IndexOf(" }}", i + 3, StringComparison.Ordinal);
                var expr = template[(i + 3)..end];
                sb.Append(expr.StartsWith('\'') ? expr[1..^1] : values[expr]);
                i = end + 3;
                continue;
            }
            sb.Append(template[i]);
            i++;
        }
        return sb.ToString();
    }
}
