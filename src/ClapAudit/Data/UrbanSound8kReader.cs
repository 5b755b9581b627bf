#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>One UrbanSound8K slice.</summary>
/// <param name="FreesoundId">The <c>fsID</c> column: the Freesound recording the slice was cut from.</param>
public sealed record UrbanSound8kItem(string AudioPath, string FileName, int Fold, int ClassId, string ClassName, string FreesoundId);

/// <summary>UrbanSound8K's slices whose audio exists, and its class names indexed by classID.</summary>
public sealed record UrbanSound8kDataset(
    string Folder, IReadOnlyList<UrbanSound8kItem> Items, IReadOnlyList<string> ClassNames,
    IReadOnlyList<DataProblem> Problems, int MissingAudio);

/// <summary>
/// Reads UrbanSound8K as published: <c>metadata/UrbanSound8K.csv</c> (<c>slice_file_name, fsID, start, end,
/// salience, fold, classID, class</c>), audio in <c>audio/fold{1..10}/</c>. Class names come from every row,
/// underscores as spaces ("dog bark"); classIDs must run 0..K-1 without gaps.
/// </summary>
public static class UrbanSound8kReader
{
    public const string Name = "urbansound8k";
    private static readonly string[] Columns = ["slice_file_name", "fsID", "fold", "classID", "class"];

    public static UrbanSound8kDataset Read(string folder, IReadOnlyList<int>? folds = null, AudioFileIndex? index = null)
    {
        Guard.DirectoryExists(folder, "UrbanSound8K folder");
        folder = Path.GetFullPath(folder);
        index ??= new AudioFileIndex();
        string csvPath = Path.Combine(folder, "metadata", "UrbanSound8K.csv");
        var problems = new ProblemLog();
        var classes = new SortedDictionary<int, string>();
        var items = new List<UrbanSound8kItem>();
        int missing = 0;
        using (var csv = CsvTable.OpenWithHeader(csvPath, Columns))
            while (csv.Read())
            {
                int line = csv.Line;
                string file = csv["slice_file_name"].Trim(), name = csv["class"].Trim(), fsid = csv["fsID"].Trim();
                if (!int.TryParse(csv["fold"], out int fold) || fold < 1)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: fold '{csv["fold"]}' is not a positive integer");
                if (!int.TryParse(csv["classID"], out int id) || id < 0)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: classID '{csv["classID"]}' is not a non-negative integer");
                if (classes.TryGetValue(id, out var known) && known != name)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: classID {id} is '{name}' here but '{known}' earlier");
                classes[id] = name;
                if (folds is not null && !folds.Contains(fold)) continue;
                string audio = Path.Combine(folder, "audio", $"fold{fold}", file);
                if (!index.Exists(audio))
                {
                    problems.Add(csvPath, line, $"audio file missing: audio/fold{fold}/{file}");
                    missing++;
                    continue;
                }
                items.Add(new UrbanSound8kItem(audio, file, fold, id, name.Replace('_', ' '), fsid));
            }
        Guard.Data(classes.Count > 0, $"{csvPath}: no rows");
        int expected = 0;
        foreach (var c in classes.Keys)
            if (c != expected++)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}: classIDs must run 0..{classes.Count - 1} without gaps; {expected - 1} is missing");
        return new UrbanSound8kDataset(folder, items, classes.Values.Select(c => c.Replace('_', ' ')).ToArray(), problems.Items, missing);
    }
}
