namespace ClapAudit.Data;

/// <summary>A non-fatal problem found while reading a dataset, with the file and line at fault.</summary>
public sealed record DataProblem(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>Collects problems while a reader walks its files.</summary>
internal sealed class ProblemLog
{
    public List<DataProblem> Items { get; } = [];
    public void Add(string file, int line, string message) => Items.Add(new DataProblem(file, line, message));
}
