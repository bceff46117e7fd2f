namespace Vz.Deploy.Ssh;

/// <summary>
/// What a node's host or user name may hold. Names reach known_hosts lines, shell words on the
/// master and messages on the terminal: a control character (a line break would add a line to
/// known_hosts) or a byte that is not UTF-8 has no place in one, nor has white space.
/// </summary>
public static class NodeNames
{
    /// <summary>Why a host or user name is refused, or null.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
            return "is empty";
        foreach (var c in name)
        {
            if (char.IsControl(c) || RawText.IsEscapedByte(c) || c == '\uFFFD')
                return $"holds a control character or a byte that is not UTF-8 ({RawText.Printable(c.ToString())})";
            if (char.IsWhiteSpace(c))
                return "holds white space";
        }
        return null;
    }
}
