using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings for reading FSD50K.</summary>
/// <param name="CaptionTemplate">How labels become a caption: <c>{labels}</c> is replaced by the clip's labels,
/// underscores turned to spaces, joined by ", " except the last two, joined by " and " (LAION-CLAP's
/// <c>preprocess_FSD50K.py</c> recipe). msclap never published its own, so this is not a claim to match it.</param>
/// <param name="Splits">Splits to read: "train" and "val" (the <c>split</c> column of dev.csv) and "eval" (eval.csv). Null: all.</param>
public sealed record Fsd50kOptions(string CaptionTemplate = Fsd50kOptions.DefaultTemplate, IReadOnlyList<string>? Splits = null)
{
    public const string DefaultTemplate = "The sounds of {labels}";
    public static IReadOnlyList<string> AllSplits { get; } = ["train", "val", "eval"];

    internal void Validate() =>
        Guard.Setting(CaptionTemplate.Contains("{labels}"), $"FSD50K caption template '{CaptionTemplate}' must contain {{labels}}");
}

/// <summary>
/// Reads FSD50K as unpacked from Zenodo: <c>FSD50K.ground_truth/dev.csv</c> (<c>fname, labels, mids, split</c>)
/// and <c>eval.csv</c> (<c>fname, labels, mids</c>), audio in <c>FSD50K.dev_audio/</c> and
/// <c>FSD50K.eval_audio/</c> as <c>{fname}.wav</c>. FSD50K has labels, not captions: one pair per
/// clip, its caption made from the labels (<see cref="Fsd50kOptions.CaptionTemplate"/>). Pair id: the fname.
/// </summary>
public static class Fsd50kReader
{
    public const string Name = "fsd50k";

    /// <summary>"a", "a and b", "a, b and c": LAION-CLAP's join, underscores to spaces.</summary>
    public static string JoinLabels(IReadOnlyList<string> labels)
    {
        var items = labels.Select(l => l.Replace('_', ' ').Trim()).Where(l => l.Length > 0).ToArray();
        return items.Length switch
        {
            0 => "",
            1 => items[0],
            _ => string.Join(", ", items[..^1]) + " and " + items[^1],
        };
    }

    public static string Caption(IReadOnlyList<string> labels, string template = Fsd50kOptions.DefaultTemplate) =>
        template.Replace("{labels}", JoinLabels(labels));

    public static PairReadResult Read(string folder, Fsd50kOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new Fsd50kOptions();
        options.Validate();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "FSD50K folder");
        folder = Path.GetFullPath(folder);
        var splits = SplitSelection.Resolve(options.Splits, Fsd50kOptions.AllSplits, Name);
        var pairs = new List<AudioTextPair>();
        var problems = new ProblemLog();
        int missing = 0;
        string gt = Path.Combine(folder, "FSD50K.ground_truth");
        if (splits.Contains("train") || splits.Contains("val"))
        {
            string dev = Path.Combine(gt, "dev.csv");
            ReadFile(dev, Path.Combine(folder, "FSD50K.dev_audio"), hasSplitColumn: true);
        }
        if (splits.Contains("eval"))
        {
            string eval = Path.Combine(gt, "eval.csv");
            ReadFile(eval, Path.Combine(folder, "FSD50K.eval_audio"), hasSplitColumn: false);
        }
        return new PairReadResult(Name, pairs, problems.Items, missing, missing);

        void ReadFile(string csvPath, string audioDir, bool hasSplitColumn)
        {
            string[] columns = hasSplitColumn ? ["fname", "labels", "mids", "split"] : ["fname", "labels", "mids"];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            using var csv = CsvTable.OpenWithHeader(csvPath, columns);
            while (csv.Read())
            {
                int line = csv.Line;
                if (hasSplitColumn)
                {
                    string split = csv["split"].Trim();
                    if (split is not ("train" or "val")) { problems.Add(csvPath, line, $"split '{split}' is neither train nor val; row skipped"); continue; }
                    if (!splits.Contains(split)) continue;
                }
                string fname = csv["fname"].Trim();
                if (fname.Length == 0) { problems.Add(csvPath, line, "empty fname; row skipped"); continue; }
                if (!seen.Add(fname)) { problems.Add(csvPath, line, $"duplicate fname '{fname}'; row skipped"); continue; }
                var labels = csv["labels"].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (labels.Length == 0) { problems.Add(csvPath, line, $"no labels for '{fname}'; row skipped"); continue; }
                string audio = Path.Combine(audioDir, fname + ".wav");
                if (!index.Exists(audio))
                {
                    problems.Add(csvPath, line, $"audio file missing: {Path.GetFileName(audioDir)}/{fname}.wav");
                    missing++;
                    continue;
                }
                pairs.Add(new AudioTextPair(Name, audio, Caption(labels, options.CaptionTemplate), fname));
            }
        }
    }
}
