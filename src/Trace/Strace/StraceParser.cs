using System.Globalization;

namespace Vz.Trace.Strace;

/// <summary>
/// strace text output to events: a pure function of the log. Reads what
/// <c>strace -f -qq -s N -y -o LOG</c> writes in strace 5.x and 6.x (pid prefixes,
/// <c>[pid N]</c> prefixes, no prefix without -f), merges <c>&lt;unfinished ...&gt;</c> /
/// <c>&lt;... NAME resumed&gt;</c> pairs per pid, and decodes string and fd arguments.
/// Only the syscalls in <see cref="Syscalls"/> are decoded; lines of other syscalls are
/// skipped. A line that is not strace output, or a decoded syscall with a malformed
/// argument list, is a <see cref="StraceParseException"/> naming the line.
/// </summary>
public static class StraceParser
{
    /// <summary>The syscalls whose arguments the parser decodes; the rest are skipped.</summary>
    public static IReadOnlySet<string> Syscalls { get; } =
        new HashSet<string>(Tracer.Names(Tracer.FileSyscalls + "," + Tracer.StatSyscalls), StringComparer.Ordinal);

    const string Unfinished = "<unfinished ...>";
    const string Detached = "<detached ...>";

    /// <summary>
    /// The longest log line read: strace -s 65535 prints a string in at most 4 characters a byte, and
    /// execve's arguments and environment together stay within the kernel's 2 MiB (ARG_MAX), so a
    /// real line is far shorter. A longer one is not strace output.
    /// </summary>
    public const int MaxLineChars = 32 << 20;

    public static IEnumerable<StraceEvent> Parse(TextReader reader)
    {
        // Per pid: the text "name(args" of a call whose result comes on a later line.
        var pending = new Dictionary<int, (string Name, string Head, int Line)>();
        var lines = new LineReader(reader, MaxLineChars, n => Malformed(n, $"longer than {MaxLineChars} characters: not strace output"));
        while (lines.ReadLine() is { } raw)
        {
            var lineNo = lines.Number;
            var line = raw.TrimEnd('\r', ' ');
            if (line.Length == 0)
                continue;
            var (pid, rest) = SplitPid(line);
            if (rest.StartsWith("--- ", StringComparison.Ordinal))
            {
                yield return ParseSignal(rest, lineNo, pid);
                continue;
            }
            if (rest.StartsWith("+++ ", StringComparison.Ordinal))
            {
                // A process killed inside a call never finishes it; that is no news.
                pending.Remove(pid);
                yield return ParseExit(rest, lineNo, pid);
                continue;
            }
            if (rest.StartsWith("<... ", StringComparison.Ordinal))
            {
                var close = rest.IndexOf(" resumed>", StringComparison.Ordinal);
                if (close < 0)
                    throw Malformed(lineNo, "'<...' without 'resumed>'");
                var name = rest[5..close];
                var tail = rest[(close + " resumed>".Length)..];
                if (!IsName(name))
                    throw Malformed(lineNo, $"bad syscall name in resumed line: {Shorten(name)}");
                if (!pending.Remove(pid, out var head))
                {
                    if (Syscalls.Contains(name))
                        yield return new NoticeEvent(lineNo, pid, $"{name} resumed without its unfinished start");
                    continue;
                }
                if (head.Name != name)
                {
                    yield return new NoticeEvent(lineNo, pid, $"{name} resumed but {head.Name} was unfinished (line {head.Line})");
                    continue;
                }
                if (tail.EndsWith(Detached, StringComparison.Ordinal))
                    continue;
                yield return ParseCall(head.Head + tail.TrimStart(), name, lineNo, pid);
                continue;
            }

            var paren = rest.IndexOf('(');
            if (paren <= 0 || !IsName(rest[..paren]))
                throw Malformed(lineNo, $"not an strace line: {Shorten(rest)}");
            var callName = rest[..paren];
            if (!Syscalls.Contains(callName))
                continue;
            if (rest.EndsWith(Unfinished, StringComparison.Ordinal))
            {
                if (pending.TryGetValue(pid, out var old))
                    yield return new NoticeEvent(lineNo, pid, $"{old.Name} from line {old.Line} never resumed");
                pending[pid] = (callName, rest[..^Unfinished.Length].TrimEnd(), lineNo);
                continue;
            }
            if (rest.EndsWith(Detached, StringComparison.Ordinal))
                continue;
            yield return ParseCall(rest, callName, lineNo, pid);
        }
        foreach (var (pid, head) in pending.OrderBy(p => p.Value.Line))
            yield return new NoticeEvent(head.Line, pid, $"{head.Name} unfinished at the end of the log");
    }

    /// <summary>"1234  rest", "[pid 1234] rest" or, without -f, just "rest" (pid 0).</summary>
    static (int Pid, string Body) SplitPid(string line)
    {
        if (line.StartsWith("[pid ", StringComparison.Ordinal))
        {
            var close = line.IndexOf(']');
            if (close > 5 && int.TryParse(line.AsSpan(5, close - 5).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                return (p, line[(close + 1)..].TrimStart());
        }
        var i = 0;
        while (i < line.Length && char.IsAsciiDigit(line[i]))
            i++;
        if (i > 0 && i < line.Length && line[i] == ' '
            && int.TryParse(line.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            return (pid, line[i..].TrimStart());
        return (0, line);
    }

    static SignalEvent ParseSignal(string rest, int line, int pid)
    {
        if (!rest.EndsWith(" ---", StringComparison.Ordinal) || rest.Length < 8)
            throw Malformed(line, $"signal line without closing '---': {Shorten(rest)}");
        var body = rest[4..^4].Trim();
        var name = body.Split(' ', 2)[0];
        // "--- stopped by SIGSTOP ---" names the signal last.
        if (!name.StartsWith("SIG", StringComparison.Ordinal))
            name = body.Split(' ').LastOrDefault(w => w.StartsWith("SIG", StringComparison.Ordinal)) ?? body;
        return new SignalEvent(line, pid, name);
    }

    static StraceEvent ParseExit(string rest, int line, int pid)
    {
        if (!rest.EndsWith(" +++", StringComparison.Ordinal) || rest.Length < 8)
            throw Malformed(line, $"exit line without closing '+++': {Shorten(rest)}");
        var body = rest[4..^4].Trim();
        if (body.StartsWith("exited with ", StringComparison.Ordinal)
            && int.TryParse(body.AsSpan(12), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            return new ExitEvent(line, pid, code, null);
        if (body.StartsWith("killed by ", StringComparison.Ordinal))
        {
            var sig = body[10..].Split(' ', 2)[0];
            if (sig.StartsWith("SIG", StringComparison.Ordinal))
                return new ExitEvent(line, pid, null, sig);
        }
        if (body.StartsWith("superseded by execve", StringComparison.Ordinal))
            return new NoticeEvent(line, pid, body);
        throw Malformed(line, $"unknown '+++' line: {Shorten(rest)}");
    }

    /// <summary>"name(args) = result" to an event; args split at top-level commas.</summary>
    static SyscallEvent ParseCall(string text, string name, int line, int pid)
    {
        var args = new List<StraceArg>();
        var i = name.Length + 1;
        var argStart = i;
        var depth = 0;
        var end = -1;
        while (i < text.Length && end < 0)
        {
            var c = text[i];
            switch (c)
            {
                case '"':
                    i = SkipQuoted(text, i, '"', line) + 1;
                    continue;
                case '<' when IsFdToken(text.AsSpan(argStart, i - argStart)):
                    i = SkipQuoted(text, i, '>', line) + 1;
                    continue;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ']' or '}':
                    if (--depth < 0)
                        throw Malformed(line, $"unbalanced '{c}' in {name} arguments");
                    break;
                case ')':
                    if (depth == 0)
                    {
                        end = i;
                        continue;
                    }
                    depth--;
                    break;
                case ',' when depth == 0:
                    args.Add(ParseArg(text[argStart..i].Trim(), line));
                    argStart = i + 1;
                    break;
            }
            i++;
        }
        if (end < 0)
            throw Malformed(line, $"{name} arguments are not closed by ')'");
        var last = text[argStart..end].Trim();
        if (last.Length > 0 || args.Count > 0)
            args.Add(ParseArg(last, line));
        return new SyscallEvent(line, pid, name, args, ParseResult(text[(end + 1)..], name, line));
    }

    /// <summary>Index of the closing delimiter, honouring backslash escapes; the opener is at start.</summary>
    static int SkipQuoted(string text, int start, char close, int line)
    {
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
                i++;
            else if (text[i] == close)
                return i;
        }
        throw Malformed(line, close == '"' ? "unterminated string" : "unterminated <fd path>");
    }

    static bool IsFdToken(ReadOnlySpan<char> token)
    {
        token = token.Trim();
        if (token.SequenceEqual("AT_FDCWD"))
            return true;
        if (token.StartsWith("-"))
            token = token[1..];
        if (token.IsEmpty)
            return false;
        foreach (var c in token)
            if (!char.IsAsciiDigit(c))
                return false;
        return true;
    }

    static StraceArg ParseArg(string raw, int line)
    {
        if (raw.StartsWith('"'))
        {
            var close = SkipQuoted(raw, 0, '"', line);
            var after = raw[(close + 1)..];
            if (after.Length > 0 && after != "...")
                throw Malformed(line, $"unexpected text after a string: {Shorten(after)}");
            return new StraceArg(StraceArgKind.String, raw)
            {
                Text = StraceString.FromBytes(StraceString.Unescape(raw.AsSpan(1, close - 1), line)),
                Truncated = after == "...",
            };
        }
        var angle = raw.IndexOf('<');
        var number = angle < 0 ? raw : raw[..angle];
        int? fd = number == "AT_FDCWD" ? StraceArg.AtFdCwd
            : int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
        if (fd is null)
            return new StraceArg(StraceArgKind.Other, raw);
        if (angle < 0)
            return new StraceArg(StraceArgKind.Fd, raw) { Fd = fd };
        // strace 6 marks an fd whose file was unlinked meanwhile: 0</dev/null>(deleted).
        var body = raw.EndsWith(">(deleted)", StringComparison.Ordinal) ? raw[..^"(deleted)".Length] : raw;
        if (!body.EndsWith('>'))
            throw Malformed(line, $"unexpected text after an fd path: {Shorten(raw)}");
        return new StraceArg(StraceArgKind.Fd, raw) { Fd = fd, Text = DecodeFdPath(body[(angle + 1)..^1], line) };
    }

    static string DecodeFdPath(string body, int line) =>
        StraceString.FromBytes(StraceString.Unescape(body, line));

    /// <summary>" = 3&lt;/etc/passwd&gt;", " = -1 ENOENT (No such file ...)", " = ?", " = 0x7f..".</summary>
    static SyscallResult ParseResult(string tail, string name, int line)
    {
        var t = tail.TrimStart();
        if (!t.StartsWith('='))
            throw Malformed(line, $"{name} has no ' = result'");
        t = t[1..].TrimStart();
        var stop = 0;
        while (stop < t.Length && t[stop] != ' ' && t[stop] != '<')
            stop++;
        var token = t[..stop];
        var rest = t[stop..];
        long? value;
        if (token == "?")
            value = null;
        else if (token.StartsWith("0x", StringComparison.Ordinal)
                 && ulong.TryParse(token.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            value = unchecked((long)hex);
        else if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dec))
            value = dec;
        else
            throw Malformed(line, $"{name} result is not a number: {Shorten(token)}");

        string? path = null;
        if (rest.StartsWith('<'))
        {
            var close = SkipQuoted(rest, 0, '>', line);
            path = DecodeFdPath(rest[1..close], line);
            rest = rest[(close + 1)..];
        }
        rest = rest.Trim();
        // --pidns-translation: "= 2 /* 12345 in strace's PID NS */"; pids elsewhere in the log are strace's.
        if (PidNsTranslation.Match(rest) is { Success: true } translated)
        {
            value = long.Parse(translated.Groups[1].Value, CultureInfo.InvariantCulture);
            rest = rest[translated.Length..].Trim();
        }
        string? errno = null;
        if (rest.Length > 0 && rest[0] == 'E' && char.IsAsciiLetterUpper(rest.Length > 1 ? rest[1] : ' '))
            errno = rest.Split(' ', 2)[0];
        else if (value < 0 && rest.Length == 0)
            errno = "EUNKNOWN";
        return new SyscallResult(value, errno, path);
    }

    static readonly System.Text.RegularExpressions.Regex PidNsTranslation = new(@"^/\* (\d+) in strace's PID NS \*/");

    static bool IsName(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '?');

    static StraceParseException Malformed(int line, string message) => new(TraceErrors.MalformedLogLine, line, message);

    static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;
}
