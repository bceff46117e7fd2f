namespace Vz;

/// <summary>
/// A stable error code and what it means. Each library defines its codes once, as
/// static fields of one class (<c>TraceErrors</c>, <c>BundleErrors</c>, ...); a test
/// checks that every code is unique, listed in its library's README and used.
/// </summary>
public sealed record ErrorCode(string Id, string Meaning)
{
    public override string ToString() => Id;
}
