using System.CommandLine;

namespace Vz.Cli;

/// <summary>
/// Checks on option values made while the command line is parsed, so a wrong value is a usage
/// error (exit 2, nothing run) rather than a command that hangs or retries for minutes. Every
/// command's options use these (--parallel and --retries of every fleet command, node add's --port).
/// </summary>
internal static class OptionRules
{
    /// <summary>The option's value must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> InRange(this Option<int> option, int min, int max)
    {
        Check(option, value => value < min || value > max ? $"{option.Name} must be from {min} to {max}, got {value}" : null);
        return option;
    }

    /// <summary>The option's value, when given, must be <paramref name="min"/> or more.</summary>
    public static Option<int?> AtLeast(this Option<int?> option, int min)
    {
        Check(option, value => value < min ? $"{option.Name} must be {min} or more" : null);
        return option;
    }

    static void Check(Option option, Func<int, string?> error) =>
        option.Validators.Add(result =>
        {
            // A word that is no number ("--parallel abc") is the parser's own error to report; reading
            // the value would throw out of the parse.
            if (result.Tokens.Count == 0 || result.Tokens.Any(t => !int.TryParse(t.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)))
                return;
            if (error(result.GetValueOrDefault<int>()) is { } message)
                result.AddError(message);
        });
}
