using System.CommandLine;

namespace Vz.Cli.Commands;

// Placeholder until the image command lands: it refuses to run rather than pretend.
internal static class ImageCommand
{
    public static Command Create()
    {
        var cmd = new Command("image", "(not yet implemented)");
        CommandAction.Set(cmd, _ => throw new VzException("VZ0000", "image is not implemented yet"));
        return cmd;
    }
}
