using System.Text;

namespace Vz.Trace.Closure;

/// <summary>A script's <c>#!</c> line: the interpreter and its one optional argument, as the kernel splits it.</summary>
public sealed record Shebang(string Interpreter, string? Argument)
{
    /// <summary>The kernel reads at most this many bytes of the #! line (BINPRM_BUF_SIZE).</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// Parses the start of a file. Like binfmt_script: after "#!", blanks are skipped, the
    /// interpreter runs to the next blank, and the rest of the line (trimmed) is a single argument.
    /// </summary>
    public static Shebang? Parse(ReadOnlySpan<byte> head)
    {
        if (head.Length < 3 || head[0] != '#' || head[1] != '!')
            return null;
        var body = head[2..Math.Min(head.Length, MaxLength)];
        var newline = body.IndexOf((byte)'\n');
        var line = Encoding.UTF8.GetString(newline >= 0 ? body[..newline] : body).Trim(' ', '\t', '\r');
        if (line.Length == 0)
            return null;
        var blank = line.IndexOfAny([' ', '\t']);
        if (blank < 0)
            return new Shebang(line, null);
        var argument = line[blank..].Trim(' ', '\t');
        return new Shebang(line[..blank], argument.Length == 0 ? null : argument);
    }

    /// <summary>True for <c>#!/usr/bin/env ...</c>, where the real interpreter is looked up on PATH.</summary>
    public bool IsEnv => Path.GetFileName(Interpreter) == "env";

    /// <summary>
    /// The program <c>env</c> runs: the first word of the argument that is not an option
    /// or a NAME=VALUE assignment. <c>-S</c> (split the string) is how one #! argument
    /// carries several words: <c>#!/usr/bin/env -S perl -w</c>. See env(1).
    /// </summary>
    public string? EnvProgram()
    {
        if (!IsEnv || Argument is null)
            return null;
        var words = Argument.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (w is "-S" or "--split-string" or "-" or "-i" or "--ignore-environment" or "-0" or "--null" or "--")
                continue;
            if (w is "-u" or "--unset" or "-C" or "--chdir")
            {
                i++;
                continue;
            }
            if (w.StartsWith("-S", StringComparison.Ordinal))
                return w[2..];
            if (w.StartsWith('-') || w.Contains('='))
                continue;
            return w;
        }
        return null;
    }
}
