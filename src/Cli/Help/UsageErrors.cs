using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Vz.Cli.Help;

/// <summary>
/// A command line the parser refused, told as vzbuild tells errors: each problem on a line of its
/// own starting "vzbuild: ", the nearest command name when a word looks like a misspelt one, and a
/// hint naming the help of the command that was being typed.
/// </summary>
internal static class UsageErrors
{
    const string RequiredCommand = "Required command was not provided.";
    static readonly Regex RequiredOption = new("^Option '(.+)' is required\\.$");
    static readonly Regex OptionWithoutValue = new("^Required argument missing for option: '(.+)'\\.$");
    static readonly Regex Unrecognized = new("^Unrecognized command or argument '(.*)'\\.$", RegexOptions.Singleline);
    static readonly Regex NotAmong = new("^Argument '(.*)' not recognized\\. Must be one of:(.*)$", RegexOptions.Singleline);

    /// <summary>The lines to print for a parse with errors (no trailing newlines; not yet escaped).</summary>
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var path = CommandPath(parse.CommandResult);
        // "Required command" beside an unknown word is noise: the word was the attempt at one.
        var errors = parse.Errors.Select(e => e.Message == RequiredCommand ? RequiredCommand : Explain(e, command)).Distinct().ToList();
        if (parse.UnmatchedTokens.Count > 0)
            errors.Remove(RequiredCommand);
        // A misspelt option the parser took as an argument (push --paralel 3 IMAGE) is the error; the words after it
        // that it pushed out of place are not.
        var misread = parse.Tokens.TakeWhile(t => t.Type != TokenType.DoubleDash)
            .FirstOrDefault(t => t.Type == TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal))?.Value;
        if (misread is not null)
            errors = [$"unknown option '{misread}'"];
        var lines = new List<string>();
        foreach (var message in errors)
            lines.Add("vzbuild: " + (message == RequiredCommand ? $"{path} needs a command: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}" : message));
        // A misspelt option is near one of the command's options; a misspelt command near one of its commands.
        var word = parse.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) ?? misread ?? parse.UnmatchedTokens.FirstOrDefault();
        var isOption = word?.StartsWith('-') == true;
        var names = isOption ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)) : command.Subcommands.Select(c => c.Name);
        if (word is not null && Nearest(word, names) is { } near)
            lines.Add($"  hint: did you mean {(isOption ? near : $"{path} {near}")}?");
        else
            lines.Add($"  hint: {path} --help shows its usage, options and examples");
        return lines;
    }

    /// <summary>One error in vzbuild's words where System.CommandLine's name .NET types or spread a list over lines.</summary>
    static string Explain(ParseError error, Command command)
    {
        var message = error.Message;
        if (Unrecognized.Match(message) is { Success: true } u)
        {
            var token = u.Groups[1].Value;
            return token.StartsWith('-') ? $"unknown option '{token}'"
                : command.Subcommands.Any() ? $"unknown command '{token}'"
                : $"unexpected argument '{token}'";
        }
        if (NotAmong.Match(message) is { Success: true } among)
        {
            var name = error.SymbolResult switch
            {
                OptionResult o => o.Option.Name,
                ArgumentResult { Parent: OptionResult o } => o.Option.Name,
                ArgumentResult a => $"<{a.Argument.Name}>",
                _ => "value",
            };
            var allowed = among.Groups[2].Value.Split(['\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.Trim('\''));
            return $"{name}: '{among.Groups[1].Value}' is not one of {string.Join(", ", allowed)}";
        }
        if (message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            var (name, type, tokens) = error.SymbolResult switch
            {
                OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
                ArgumentResult { Parent: OptionResult o } a => (o.Option.Name, o.Option.ValueType, a.Tokens),
                ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType, a.Tokens),
                _ => (null, null, null),
            };
            if (name is not null && tokens is { Count: > 0 })
                return $"{name}: '{tokens[^1].Value}' is not {Expected(type!)}";
        }
        if (OptionWithoutValue.Match(message) is { Success: true } v && Option(command, v.Groups[1].Value) is { } bare)
            return $"{bare.Name} needs a value <{bare.HelpName ?? "value"}>: {bare.Description}";
        if (message.StartsWith("Required argument missing for command", StringComparison.Ordinal))
        {
            var missing = command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && error.SymbolResult!.GetResult(a) is not { Tokens.Count: > 0 }).ToList();
            if (missing is { Count: > 0 })
                return $"missing {string.Join(" and ", missing.Select(a => $"<{a.Name}>"))}: {missing[0].Description}";
        }
        if (RequiredOption.Match(message) is { Success: true } m && Option(command, m.Groups[1].Value) is { } option)
            return $"missing {option.Name} <{option.HelpName ?? option.Name.TrimStart('-')}>: {option.Description}";
        return OneLine(message);
    }

    static Option? Option(Command command, string name) => command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));

    static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) ? "a whole number"
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t))
            : "a valid value";
    }

    /// <summary>"vzbuild node add": the names from the root to the command being parsed (the root is always "vzbuild").</summary>
    public static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
            names.Add(c.Command is RootCommand ? "vzbuild" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>System.CommandLine lists the allowed values on lines of their own: one line, the values after a colon.</summary>
    static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 1 ? lines[0] : $"{lines[0].TrimEnd('?', ':')}: {string.Join(", ", lines.Skip(1))}";
    }

    /// <summary>
    /// The name nearest to a misspelt word (at most two edits, or the word a prefix of one name), else null. A short
    /// option (-v) is one edit from every other short option, so it only suggests the one long option starting so (--version).
    /// </summary>
    public static string? Nearest(string word, IEnumerable<string> names)
    {
        var candidates = names.ToList();
        if (word is ['-', not '-'])
            return candidates.Where(n => n.StartsWith("--" + word[1], StringComparison.Ordinal)).ToList() is [var one] ? one : null;
        if (candidates.Where(n => n.StartsWith(word, StringComparison.Ordinal)).ToList() is [var only])
            return only;
        var best = candidates.Select(n => (Name: n, Distance: Distance(word, n))).OrderBy(x => x.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Min(2, word.Length / 2) ? best.Name : null;
    }

    /// <summary>Levenshtein distance.</summary>
    static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
