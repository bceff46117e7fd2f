using System.Text;

namespace Vz.Cli;

/// <summary>Questions asked on the operator's terminal (prompts on stderr, answers from the keyboard).</summary>
internal static class Terminal
{
    /// <summary>stdin is a terminal a person can answer on.</summary>
    public static bool CanAsk => !Console.IsInputRedirected;

    /// <summary>Reads a secret (a password, a key's passphrase) without echo; nothing of it is printed or kept.</summary>
    public static string ReadSecret(string prompt)
    {
        Console.Error.Write(prompt);
        var sb = new StringBuilder();
        while (true)
        {
            var k = Console.ReadKey(intercept: true);
            if (k.Key == ConsoleKey.Enter)
                break;
            if (k.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                    sb.Length--;
            }
            else
                sb.Append(k.KeyChar);
        }
        Console.Error.WriteLine();
        return sb.ToString();
    }

    /// <summary>Asks a yes/no question; only "yes" (as ssh asks it) is yes.</summary>
    public static bool Confirm(string question)
    {
        Console.Error.Write($"{question} (yes/no) ");
        return Console.ReadLine()?.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase) == true;
    }
}
