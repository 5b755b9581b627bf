using System.Collections.Concurrent;
using System.IO.Enumeration;

namespace ClapAudit.Data;

/// <summary>
/// Answers "does this audio file exist?" from one directory listing per folder, read once and
/// cached, instead of one stat call per row: the difference between seconds and minutes for
/// 200,000 pairs on a network drive. Case-sensitive (ordinal), as Linux file systems are.
/// </summary>
/// <remarks>With <c>checkExistence: false</c> every file is taken to exist (used when audio is
/// checked lazily elsewhere, and by the metadata benchmark).</remarks>
public sealed class AudioFileIndex(bool checkExistence = true)
{
    private readonly ConcurrentDictionary<string, HashSet<string>?> _folders = new(StringComparer.Ordinal);

    public bool CheckExistence { get; } = checkExistence;

    public bool Exists(string path)
    {
        if (!CheckExistence) return true;
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is null) return File.Exists(full);
        var names = _folders.GetOrAdd(dir, static d =>
        {
            if (!Directory.Exists(d)) return null;
            // File names only: no full path string built per entry.
            var names = new FileSystemEnumerable<string>(d, static (ref FileSystemEntry e) => e.FileName.ToString())
            {
                ShouldIncludePredicate = static (ref FileSystemEntry e) => !e.IsDirectory,
            };
            return new HashSet<string>(names, StringComparer.Ordinal);
        });
        return names is not null && names.Contains(Path.GetFileName(full));
    }
}
