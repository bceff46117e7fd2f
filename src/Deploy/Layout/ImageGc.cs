using Vz.Deploy.Push;

namespace Vz.Deploy.Layout;

/// <summary>
/// Which of podman's images on a node vz may remove after a deploy, so a node's disk does not fill
/// up release after release: a tagged image of a repository vz pushed there (its store directory
/// exists) that no kept release of any pod (current or previous) names. Images of repositories vz
/// never pushed are not vz's and stay. A removed image comes back from the node's store if a later
/// deploy needs it (NodeRepair loads again an image whose name resolves to nothing).
/// </summary>
public static class ImageGc
{
    /// <summary>The names to remove, in order; <paramref name="loaded"/> as podman lists them (REPOSITORY:TAG).</summary>
    public static IReadOnlyList<string> Unused(IEnumerable<string> loaded, IEnumerable<string> kept, IEnumerable<string> stores)
    {
        var keep = kept.ToHashSet(StringComparer.Ordinal);
        var ours = stores.ToHashSet(StringComparer.Ordinal);
        return loaded.Where(n => n.StartsWith("localhost/", StringComparison.Ordinal) && !n.EndsWith(":<none>", StringComparison.Ordinal)
                && ours.Contains(ImageArchive.StoreNameOf(n)) && !keep.Contains(n))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
