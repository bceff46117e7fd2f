using System.Reflection;

namespace Vz.Deploy.Playbook;

/// <summary>
/// The fixed part of the role: its tasks, handlers, defaults, meta, README and the controller-side
/// secrets digest (src/Deploy/Playbook/Role/, embedded in this assembly). They are the same for
/// every fleet; what a fleet changes is in vars/main.yml and templates/, which the generator writes.
/// </summary>
public static class RoleSource
{
    const string Prefix = "Role/";

    public static IReadOnlyList<PlaybookFile> Files { get; } = Load();

    static List<PlaybookFile> Load()
    {
        var assembly = typeof(RoleSource).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var s = assembly.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s);
                return new PlaybookFile(n[Prefix.Length..], r.ReadToEnd());
            })
            .ToList();
    }
}
