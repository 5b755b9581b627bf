using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>One AudioSet class: its index in the model's output, its machine id and its display name.</summary>
public sealed record AudioSetClass(int Index, string Mid, string DisplayName);

/// <summary>
/// The AudioSet classes as listed in <c>class_labels_indices.csv</c> (<c>index, mid, display_name</c>;
/// display names double-quoted because many hold commas, e.g. "Male speech, man speaking").
/// </summary>
public sealed class AudioSetOntology
{
    private readonly Dictionary<string, AudioSetClass> _byMid;
    private readonly Dictionary<string, AudioSetClass> _byName;

    public IReadOnlyList<AudioSetClass> Classes { get; }

    public AudioSetOntology(IReadOnlyList<AudioSetClass> classes)
    {
        Classes = classes;
        _byMid = new(StringComparer.Ordinal);
        _byName = new(StringComparer.OrdinalIgnoreCase);
        foreach (var c in classes)
        {
            _byMid.TryAdd(c.Mid, c);
            _byName.TryAdd(c.DisplayName, c);
        }
    }

    public AudioSetClass? ByMid(string mid) => _byMid.GetValueOrDefault(mid);
    public AudioSetClass? ByDisplayName(string name) => _byName.GetValueOrDefault(name);

    public static AudioSetOntology Read(string csvPath)
    {
        var classes = new List<AudioSetClass>();
        var mids = new HashSet<string>(StringComparer.Ordinal);
        using var csv = CsvTable.OpenWithHeader(csvPath, "index", "mid", "display_name");
        while (csv.Read())
        {
            int line = csv.Line;
            if (!int.TryParse(csv["index"].Trim(), out int index))
                throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: index '{csv["index"]}' is not an integer");
            string mid = csv["mid"].Trim(), name = csv["display_name"].Trim();
            if (mid.Length == 0 || name.Length == 0)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: empty mid or display_name");
            if (!mids.Add(mid))
                throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: duplicate mid '{mid}'");
            classes.Add(new AudioSetClass(index, mid, name));
        }
        Guard.Data(classes.Count > 0, $"{csvPath}: no classes");
        return new AudioSetOntology(classes);
    }
}
