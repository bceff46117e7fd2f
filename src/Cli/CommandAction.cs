using System.CommandLine;

namespace Vz.Cli;

/// <summary>
/// Runs a command's body and turns failures into one line on stderr and an exit
/// code. Every command goes through here, so errors reach the user exactly once.
/// </summary>
public static class CommandAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, ct) => await RunAsync(() => body(parse, ct)));
    }

    public static void Set(Command command, Func<ParseResult, int> body)
    {
        command.SetAction((parse, ct) => RunAsync(() => Task.FromResult(body(parse))));
    }

    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (VzException e)
        {
            Console.Error.WriteLine($"vzbuild: error {e.Code}: {e.Message}");
            if (e.Hint is not null)
                Console.Error.WriteLine($"  hint: {e.Hint}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("vzbuild: interrupted");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>The reporter for this process: progress bars on a terminal, plain lines otherwise.</summary>
    public static IReporter Reporter => reporter.Value;

    // One per process: a TerminalReporter counts the lines it drew, so a second one would redraw over them.
    static readonly Lazy<IReporter> reporter = new(TerminalReporter.Create);
}
