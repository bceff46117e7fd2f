using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the minify command lands: it refuses to run rather than pretend.
internal static class MinifyCommand
{
    public static Command Create()
    {
        var cmd = new Command("minify", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "minify is not implemented yet"));
        return cmd;
    }
}
