using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the trace command lands: it refuses to run rather than pretend.
internal static class TraceCommand
{
    public static Command Create()
    {
        var cmd = new Command("trace", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "trace is not implemented yet"));
        return cmd;
    }
}
