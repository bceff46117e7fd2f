using System.Text.RegularExpressions;

namespace Vz.Bundle.Image;

/// <summary>An image name such as localhost/web:1.2 split into repository and tag (default "latest").</summary>
public sealed partial record ImageReference(string Repository, string Tag)
{
    public string FullName => $"{Repository}:{Tag}";

    public override string ToString() => FullName;

    public static ImageReference Parse(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        var (repo, tag) = colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
        if (reference.Contains('@'))
            throw new VzException("VZ2030", $"--tag {reference}: digests cannot be given, only NAME:TAG");
        if (!RepoPattern().IsMatch(repo))
            throw new VzException("VZ2030", $"--tag {reference}: repository '{repo}' must be lowercase letters, digits and . _ - / (e.g. localhost/web)");
        if (!TagPattern().IsMatch(tag))
            throw new VzException("VZ2030", $"--tag {reference}: tag '{tag}' must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}");
        return new ImageReference(repo, tag);
    }

    // A registry host may carry a port (localhost:5000/x); path parts as in distribution's reference grammar.
    [GeneratedRegex(@"^([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepoPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
