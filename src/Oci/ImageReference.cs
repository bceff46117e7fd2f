using System.Text.RegularExpressions;

namespace Vz.Oci;

/// <summary>An image name such as localhost/web:1.2 split into repository and tag (default "latest").</summary>
public sealed partial record ImageReference(string Repository, string Tag)
{
    public string FullName => $"{Repository}:{Tag}";

    public override string ToString() => FullName;

    public static ImageReference Parse(string reference)
    {
        var (parsed, problem) = Split(reference);
        return parsed ?? throw new VzException(OciErrors.BadReference, $"--tag {reference}: {problem}");
    }

    /// <summary>The reference, or null when <paramref name="reference"/> is not one <see cref="Parse"/> accepts.</summary>
    public static ImageReference? TryParse(string reference) => Split(reference).Parsed;

    static (ImageReference? Parsed, string? Problem) Split(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        var (repo, tag) = colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
        if (reference.Contains('@'))
            return (null, "digests cannot be given, only NAME:TAG");
        if (!RepoPattern().IsMatch(repo))
            return (null, $"repository '{repo}' must be lowercase letters, digits and . _ - / (e.g. localhost/web)");
        if (!TagPattern().IsMatch(tag))
            return (null, $"tag '{tag}' must match [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}");
        return (new ImageReference(repo, tag), null);
    }

    // A registry host may carry a port (localhost:5000/x); path parts as in distribution's reference grammar.
    [GeneratedRegex(@"^([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepoPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
