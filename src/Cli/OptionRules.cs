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
        option.Validators.Add(result =>
        {
            // A word that is no number ("--parallel abc") is the parser's own error to report; reading
            // the value would throw out of the parse.
            if (result.Tokens.Any(t => !int.TryParse(t.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)))
                return;
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
                result.AddError($"{option.Name} must be from {min} to {max}, got {value}");
        });
        return option;
    }
}
