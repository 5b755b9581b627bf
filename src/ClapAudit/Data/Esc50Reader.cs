#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings for reading ESC-50.</summary>
/// <param name="Folds">Folds to keep (1..5); null: all (zero-shot evaluation uses every fold as test).</param>
/// <param name="CheckAudio">Leave out (and report) clips whose audio file is missing.</param>
public sealed record Esc50Options(IReadOnlyList<int>? Folds = null, bool CheckAudio = true)
{
    public const string DefaultPromptTemplate = "this is a sound of {class}";
}

/// <summary>
/// Reads ESC-50 as in the karolpiczak/ESC-50 repository: <c>meta/esc50.csv</c>
/// (<c>filename, fold, target, category, esc10, src_file, take</c>), audio in <c>audio/</c>.
/// Class names come from every row of the CSV (before fold selection and audio checks), so the
/// class list is complete even when some audio is missing; targets must run 0..K-1 without gaps.
/// </summary>
public static class Esc50Reader
{
    private static readonly string[] Columns = ["filename", "fold", "target", "category", "esc10"];

    public static ZeroShotTestSet Read(string folder, Esc50Options? options = null, AudioFileIndex? index = null)
    {
        options ??= new Esc50Options();
        if (options.Folds is { } folds)
            foreach (var f in folds) Guard.Setting(f is >= 1 and <= 5, $"ESC-50 fold {f} is not in 1..5");
        index ??= new AudioFileIndex(options.CheckAudio);
        Guard.DirectoryExists(folder, "ESC-50 folder");
        folder = Path.GetFullPath(folder);
        string csvPath = Path.Combine(folder, "meta", "esc50.csv");
        var problems = new ProblemLog();
        var categories = new SortedDictionary<int, (string Category, int Line)>();
        var items = new List<TestClip>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int missing = 0;
        string? firstMissing = null;
        using (var csv = CsvTable.OpenWithHeader(csvPath, Columns))
        {
            while (csv.Read())
            {
                int line = csv.Line;
                string file = csv["filename"].Trim(), category = csv["category"].Trim();
                if (!int.TryParse(csv["fold"], out int fold) || fold < 1)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: fold '{csv["fold"]}' is not a positive integer");
                if (!int.TryParse(csv["target"], out int target) || target < 0)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: target '{csv["target"]}' is not a non-negative integer");
                if (category.Length == 0)
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{csvPath}:{line}: empty category");
                if (categories.TryGetValue(target, out var known))
                {
                    if (known.Category != category)
                        throw new ClapAuditException(ErrorKind.InvalidData,
                            $"{csvPath}:{line}: target {target} is '{category}' here but '{known.Category}' on line {known.Line}");
                }
                else categories[target] = (category, line);
                if (!seen.Add(file)) { problems.Add(csvPath, line, $"duplicate filename '{file}'; row skipped"); continue; }
                if (RelativePaths.Problem(file) is { } outside)
                {
                    problems.Add(csvPath, line, $"filename {outside}; row skipped");
                    continue;
                }
                if (options.Folds is { } keep && !keep.Contains(fold)) continue;
                string audio = Path.Combine(folder, "audio", file);
                if (!index.Exists(audio))
                {
                    problems.Add(csvPath, line, $"audio file missing: audio/{file}");
                    missing++;
                    firstMissing ??= $"audio/{file}";
                    continue;
                }
                bool esc10 = csv["esc10"].Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
                items.Add(new TestClip(audio, file, fold, target, category.Replace('_', ' '), esc10));
            }
        }
        Guard.Data(categories.Count > 0, $"{csvPath}: no rows");
        int expected = 0;
        foreach (var t in categories.Keys)
        {
            if (t != expected)
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{csvPath}: targets must run 0..{categories.Count - 1} without gaps; target {expected} is missing");
            expected++;
        }
        var raw = categories.Values.Select(v => v.Category).ToArray();
        var classNames = raw.Select(c => c.Replace('_', ' ')).ToArray();
        return new ZeroShotTestSet(folder, items, classNames, raw, problems.Items, missing)
        {
            FirstMissing = firstMissing,
        };
    }
}
