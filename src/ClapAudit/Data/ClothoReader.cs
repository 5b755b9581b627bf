using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings for reading Clotho v2.1.</summary>
/// <param name="Splits">Published splits to read (null: all of development, validation, evaluation).</param>
public sealed record ClothoOptions(IReadOnlyList<string>? Splits = null)
{
    public static IReadOnlyList<string> AllSplits { get; } = ["development", "validation", "evaluation"];
}

/// <summary>
/// Reads Clotho v2.1 as unpacked from Zenodo 4783391: <c>clotho_captions_{split}.csv</c>
/// (<c>file_name, caption_1..caption_5</c>) beside the audio folders <c>development/</c>,
/// <c>validation/</c>, <c>evaluation/</c>. One pair per non-empty caption; pair id "file_name#k".
/// </summary>
public static class ClothoReader
{
    public const string Name = "clotho";
    private static readonly string[] Columns = ["file_name", "caption_1", "caption_2", "caption_3", "caption_4", "caption_5"];

    public static PairReadResult Read(string folder, ClothoOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new ClothoOptions();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "Clotho folder");
        folder = Path.GetFullPath(folder);
        var splits = SplitSelection.Resolve(options.Splits, ClothoOptions.AllSplits, Name);
        var pairs = new List<AudioTextPair>();
        var problems = new ProblemLog();
        int missingPairs = 0, missingFiles = 0;
        int found = 0;
        foreach (var split in splits)
        {
            string csvPath = Path.Combine(folder, FileFor(split));
            if (!File.Exists(csvPath))
            {
                // A user may have downloaded only some splits; say so unless they asked for this one.
                if (options.Splits is { Count: > 0 }) throw new ClapAuditException(ErrorKind.NotFound, $"{csvPath}: Clotho captions file not found");
                problems.Add(csvPath, 0, $"not found: split '{split}' skipped");
                continue;
            }
            found++;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            using var csv = CsvTable.OpenWithHeader(csvPath, Columns);
            while (csv.Read())
            {
                int line = csv.Line;
                string file = csv["file_name"].Trim();
                if (file.Length == 0) { problems.Add(csvPath, line, "empty file_name; row skipped"); continue; }
                if (!seen.Add(file)) { problems.Add(csvPath, line, $"duplicate file_name '{file}'; row skipped"); continue; }
                if (RelativePaths.Problem(file) is { } outside)
                {
                    problems.Add(csvPath, line, $"file_name {outside}; row skipped");
                    continue;
                }
                string audio = Path.Combine(folder, split, file);
                var captions = new List<(int K, string Text)>(5);
                for (int k = 1; k <= 5; k++)
                {
                    string c = csv[$"caption_{k}"].Trim();
                    if (c.Length == 0) problems.Add(csvPath, line, $"empty caption_{k} for '{file}'; pair skipped");
                    else captions.Add((k, c));
                }
                if (!index.Exists(audio))
                {
                    problems.Add(csvPath, line, $"audio file missing: {split}/{file}");
                    missingFiles++;
                    missingPairs += captions.Count;
                    continue;
                }
                foreach (var (k, text) in captions) pairs.Add(new AudioTextPair(Name, audio, text, $"{file}#{k}"));
            }
        }
        if (found == 0)
            throw new ClapAuditException(ErrorKind.NotFound, $"{folder}: no Clotho captions CSV found (expected one of: {string.Join(", ", splits.Select(FileFor))})");
        return new PairReadResult(Name, pairs, problems.Items, missingPairs, missingFiles);
    }

    private static string FileFor(string split) => $"clotho_captions_{split}.csv";
}
