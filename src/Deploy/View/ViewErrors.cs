namespace Vz.Deploy.View;

/// <summary>
/// Error codes of the fleet view (VZ44xx: ps, diff, logs, rollback, history). src/Deploy/README.md
/// "Fleet view" lists the same.
/// </summary>
public static class ViewErrors
{
    public static readonly ErrorCode NoPrevious = new("VZ4401", "rollback: the node keeps no previous release of any chosen pod to go back to");
    public static readonly ErrorCode ImageGone = new("VZ4402", "rollback: an image the previous release needs is no longer on the node");
    public static readonly ErrorCode BadRecord = new("VZ4403", "rollback: the previous release's record is missing or does not match its directory");
    public static readonly ErrorCode Unconfirmed = new("VZ4404", "rollback: a switch on the node awaits confirmation (its dead-man timer decides)");
    public static readonly ErrorCode NoSuchNode = new("VZ4405", "logs: --node names no node of the fleet that runs the pod");
    public static readonly ErrorCode BadArgument = new("VZ4406", "logs: a bad --since or --unit");
    public static readonly ErrorCode DownloadDir = new("VZ4407", "logs --download: the directory, a log or a cursor file cannot be read or written");
}
