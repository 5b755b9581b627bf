using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>
/// Which AudioSet ontology classes (by display name) are the same sound as each ESC-50 class, so the
/// leakage filter can remove AudioSet clips labelled e.g. "Oink" or "Moo" whose display names share
/// no word with "pig" or "cow". The committed table is <c>src/ClapAudit/Data/esc50_audioset_map.tsv</c>
/// (embedded): tab-separated <c>esc50_category, audioset_display_name</c>, '#' lines are comments.
/// </summary>
public sealed class Esc50AudioSetMap
{
    private readonly Dictionary<string, List<string>> _byCategory = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Category, string DisplayName)> Entries { get; }

    private Esc50AudioSetMap(List<(string, string)> entries)
    {
        Entries = entries;
        foreach (var (c, n) in entries)
        {
            if (!_byCategory.TryGetValue(c, out var list)) _byCategory[c] = list = [];
            list.Add(n);
        }
    }

    /// <summary>The committed table.</summary>
    public static Esc50AudioSetMap Default { get; } = LoadDefault();

    /// <summary>Display names mapped from an ESC-50 category ("door_wood_knock" or "door wood knock").</summary>
    public IReadOnlyList<string> NamesFor(string category) =>
        _byCategory.TryGetValue(Normalize(category), out var list) ? list : [];

    public static string Normalize(string category) => category.Trim().Replace(' ', '_').ToLowerInvariant();

    public static Esc50AudioSetMap Load(string tsvPath)
    {
        Guard.FileExists(tsvPath, "ESC-50 to AudioSet mapping table");
        using var reader = new StreamReader(tsvPath, System.Text.Encoding.UTF8);
        return Parse(reader, tsvPath);
    }

    private static Esc50AudioSetMap LoadDefault()
    {
        const string name = "ClapAudit.Data.esc50_audioset_map.tsv";
        using var stream = typeof(Esc50AudioSetMap).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        return Parse(reader, "esc50_audioset_map.tsv");
    }

    private static Esc50AudioSetMap Parse(TextReader reader, string source)
    {
        var entries = new List<(string, string)>();
        int lineNo = 0;
        bool header = false;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNo++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split('\t');
            if (!header)
            {
                header = true;
                if (parts.Length >= 2 && parts[0] == "esc50_category") continue;
            }
            if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{source}:{lineNo}: expected 'esc50_category<TAB>audioset_display_name', found '{line}'");
            entries.Add((Normalize(parts[0]), parts[1].Trim()));
        }
        return new Esc50AudioSetMap(entries);
    }
}
