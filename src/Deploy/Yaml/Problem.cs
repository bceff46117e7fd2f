namespace Vz.Deploy.Yaml;

/// <summary>One thing wrong in an input file: <c>file:line: field.path: why</c>.</summary>
public sealed record Problem(ErrorCode Code, string File, int Line, string Path, string Why)
{
    public override string ToString() =>
        Path.Length == 0 ? $"{File}:{Line}: {Why}" : $"{File}:{Line}: {Path}: {Why}";
}

/// <summary>
/// Every problem found in one validation pass. The message is the first problem (with a count
/// of the rest) so it stays one line; <see cref="Problems"/> holds all of them, in file order,
/// for a caller that prints each, and the hint lists the others.
/// </summary>
public sealed class InvalidInputException(IReadOnlyList<Problem> problems)
    : VzException(problems[0].Code,
        problems[0] + (problems.Count > 1 ? $" (and {problems.Count - 1} more)" : ""),
        problems.Count > 1 ? string.Join("\n", problems.Skip(1)) : null)
{
    public IReadOnlyList<Problem> Problems { get; } = problems;
}

/// <summary>Collects problems while a reader walks a file; throws them together at the end.</summary>
public sealed class Problems(string file)
{
    readonly List<Problem> list = [];

    public string File { get; } = file;

    public IReadOnlyList<Problem> All => list;

    public bool Any => list.Count > 0;

    public void Add(ErrorCode code, int line, string path, string why) => list.Add(new(code, File, line, path, why));

    /// <summary>A problem in another file than the one being read (a manifest a fleet file names).</summary>
    public void AddIn(string file, ErrorCode code, int line, string path, string why) => list.Add(new(code, file, line, path, why));

    public void AddAll(IEnumerable<Problem> problems) => list.AddRange(problems);

    /// <summary>Throws every collected problem, ordered by line, as one exception.</summary>
    public void ThrowIfAny()
    {
        if (list.Count > 0)
            throw new InvalidInputException(list.OrderBy(p => p.File, StringComparer.Ordinal).ThenBy(p => p.Line).ToList());
    }
}
