using System.CommandLine;

namespace Vz.Cli;

/// <summary>
/// Runs a command's body and turns failures into one line on stderr and an exit
/// code. Every command goes through here, so errors reach the user exactly once: a
/// VzException as its code and message (exit 1), anything else as a bug (exit 70); control
/// characters and bytes that are not UTF-8 in them are escaped (<see cref="RawText.Printable"/>).
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

    /// <summary>The body's exit code, or the one for what it threw, told on <paramref name="error"/> (default stderr).</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body, TextWriter? error = null)
    {
        error ??= Console.Error;
        try
        {
            return await body();
        }
        catch (VzException e)
        {
            // Messages quote input (a spec line, a host name): escaped, so garbage cannot drive the terminal.
            error.WriteLine($"vzbuild: error {e.Code}: {RawText.Printable(e.Message)}");
            if (e.Hint is not null)
                error.WriteLine($"  hint: {RawText.Printable(e.Hint)}");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("vzbuild: interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            error.WriteLine($"vzbuild: {RawText.Printable(InternalError.Describe(e))}");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The reporter for this process: progress bars on a terminal, plain lines otherwise.</summary>
    public static IReporter Reporter => reporter.Value;

    // One per process: a TerminalReporter counts the lines it drew, so a second one would redraw over them.
    static readonly Lazy<IReporter> reporter = new(TerminalReporter.Create);
}
