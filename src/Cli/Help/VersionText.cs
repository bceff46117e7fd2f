using System.Reflection;

namespace Vz.Cli.Help;

/// <summary>
/// What <c>vzbuild --version</c> prints. The SDK stamps the commit into the informational version
/// (<c>0.1.0+SHA</c>, from the git checkout it was built in, packed tool included); a build from a
/// source tree without git history has none, and says so instead of printing a bare version.
/// </summary>
internal static class VersionText
{
    public const string NoCommit = "commit unknown: built outside a git checkout";

    /// <summary>This build's informational version, e.g. 0.1.0+6b6be37c77734cb88532e6fe7e258394ab06f586.</summary>
    public static string? Informational =>
        typeof(VersionText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>"0.1.0+SHA" becomes (0.1.0, SHA); "0.1.0" becomes (0.1.0, null).</summary>
    public static (string Version, string? Commit) Parse(string? informational)
    {
        var text = string.IsNullOrWhiteSpace(informational) ? "0.0.0" : informational.Trim();
        var plus = text.IndexOf('+');
        if (plus < 0)
            return (text, null);
        var commit = text[(plus + 1)..];
        return (text[..plus], commit.Length > 0 && commit.All(Uri.IsHexDigit) ? commit : null);
    }

    /// <summary>"vzbuild 0.1.0 (commit 6b6be37c...)", or the version and <see cref="NoCommit"/>.</summary>
    public static string Line(string? informational)
    {
        var (version, commit) = Parse(informational);
        return $"vzbuild {version} ({(commit is null ? NoCommit : "commit " + commit)})";
    }
}
