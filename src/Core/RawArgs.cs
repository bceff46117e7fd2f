using System.Text;

namespace Vz;

/// <summary>
/// The command line as the user typed it. .NET decodes argv as UTF-8 and turns bytes that are not
/// UTF-8 into U+FFFD before Main sees them; the kernel keeps the bytes in /proc/self/cmdline.
/// </summary>
public static class RawArgs
{
    /// <summary>
    /// <paramref name="args"/> with each argument's original bytes as <see cref="RawText"/>: the last
    /// args.Length words of <paramref name="cmdline"/> (the host's own words, "dotnet vzbuild.dll",
    /// come first), used only when each decodes to the argument .NET gave; otherwise args unchanged.
    /// </summary>
    public static string[] Recover(string[] args, byte[]? cmdline)
    {
        if (cmdline is null || args.Length == 0)
            return args;
        var words = Words(cmdline);
        if (words.Count < args.Length)
            return args;
        var tail = words.Skip(words.Count - args.Length).ToArray();
        for (var i = 0; i < args.Length; i++)
            if (Encoding.UTF8.GetString(tail[i]) != args[i])
                return args;
        return tail.Select(w => RawText.Decode(w)).ToArray();
    }

    /// <summary>This process's arguments with their bytes (<see cref="Recover"/> of /proc/self/cmdline).</summary>
    public static string[] OfThisProcess(string[] args)
    {
        byte[]? cmdline;
        try { cmdline = File.ReadAllBytes("/proc/self/cmdline"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { cmdline = null; }
        return Recover(args, cmdline);
    }

    static List<byte[]> Words(byte[] cmdline)
    {
        var words = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < cmdline.Length; i++)
        {
            if (cmdline[i] != 0)
                continue;
            words.Add(cmdline[start..i]);
            start = i + 1;
        }
        if (start < cmdline.Length)
            words.Add(cmdline[start..]);
        return words;
    }
}
