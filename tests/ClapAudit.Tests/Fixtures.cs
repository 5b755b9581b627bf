namespace ClapAudit.Tests;

/// <summary>Finds committed fixtures under tests/fixtures/ (found by walking up to the solution file).</summary>
public static class Fixtures
{
    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ClapAudit.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ClapAudit.slnx not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RepoRoot.Value;

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([RepoRoot.Value, "tests", "fixtures", .. parts]);

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public static TempDir TempDir() => new();
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clapaudit-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
