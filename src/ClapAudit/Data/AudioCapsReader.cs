using System.Text;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings for reading AudioCaps.</summary>
/// <param name="FilePattern">Where each clip's audio is, relative to the AudioCaps folder. Placeholders:
/// <c>{youtube_id}</c>, <c>{start_time}</c> (as written in the CSV), <c>{audiocap_id}</c>, <c>{split}</c>.
/// Downloaders differ: <c>audio/{youtube_id}.wav</c> (default), <c>audio/{youtube_id}_{start_time}.wav</c>,
/// <c>audio/Y{youtube_id}.wav</c>, or a folder per split <c>{split}/{youtube_id}.wav</c>.</param>
/// <param name="Splits">Published splits to read (null: train, val, test).</param>
public sealed record AudioCapsOptions(string FilePattern = AudioCapsOptions.DefaultPattern, IReadOnlyList<string>? Splits = null)
{
    public const string DefaultPattern = "audio/{youtube_id}.wav";
    public static IReadOnlyList<string> AllSplits { get; } = ["train", "val", "test"];

    internal void Validate()
    {
        Guard.Setting(FilePattern.Contains("{youtube_id}") || FilePattern.Contains("{audiocap_id}"),
            $"AudioCaps file pattern '{FilePattern}' must contain {{youtube_id}} or {{audiocap_id}}");
    }
}

/// <summary>
/// Reads AudioCaps (cdjkim/audiocaps <c>dataset/</c>): <c>train.csv</c>, <c>val.csv</c>,
/// <c>test.csv</c> with <c>audiocap_id, youtube_id, start_time, caption</c>. Train has one row per
/// clip, val and test five. Rows whose audio is missing (many YouTube clips are gone) are counted
/// and reported, not fatal. Pair id: the audiocap_id.
/// </summary>
public static class AudioCapsReader
{
    public const string Name = "audiocaps";
    private static readonly string[] Columns = ["audiocap_id", "youtube_id", "start_time", "caption"];

    public static PairReadResult Read(string folder, AudioCapsOptions? options = null, AudioFileIndex? index = null)
    {
        options ??= new AudioCapsOptions();
        options.Validate();
        index ??= new AudioFileIndex();
        Guard.DirectoryExists(folder, "AudioCaps folder");
        folder = Path.GetFullPath(folder);
        var splits = SplitSelection.Resolve(options.Splits, AudioCapsOptions.AllSplits, Name);
        var pairs = new List<AudioTextPair>();
        var problems = new ProblemLog();
        var missingAudio = new HashSet<string>(StringComparer.Ordinal);
        int missingPairs = 0;
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        int found = 0;
        foreach (var split in splits)
        {
            string csvPath = Path.Combine(folder, FileFor(split));
            if (!File.Exists(csvPath))
            {
                if (options.Splits is { Count: > 0 }) throw new ClapAuditException(ErrorKind.NotFound, $"{csvPath}: AudioCaps file not found");
                problems.Add(csvPath, 0, $"not found: split '{split}' skipped");
                continue;
            }
            found++;
            using var csv = CsvTable.OpenWithHeader(csvPath, Columns);
            while (csv.Read())
            {
                int line = csv.Line;
                string id = csv["audiocap_id"].Trim(), yt = csv["youtube_id"].Trim(), start = csv["start_time"].Trim();
                string caption = csv["caption"].Trim();
                if (yt.Length == 0) { problems.Add(csvPath, line, "empty youtube_id; row skipped"); continue; }
                if (id.Length == 0) { problems.Add(csvPath, line, "empty audiocap_id; row skipped"); continue; }
                if (!seenIds.Add(id)) { problems.Add(csvPath, line, $"duplicate audiocap_id '{id}'; row skipped"); continue; }
                if (caption.Length == 0) { problems.Add(csvPath, line, $"empty caption (audiocap_id {id}); row skipped"); continue; }
                string rel = Expand(options.FilePattern, yt, start, id, split);
                string audio = Path.GetFullPath(Path.Combine(folder, rel));
                if (!index.Exists(audio))
                {
                    problems.Add(csvPath, line, $"audio file missing: {rel}");
                    missingPairs++;
                    missingAudio.Add(audio);
                    continue;
                }
                pairs.Add(new AudioTextPair(Name, audio, caption, id));
            }
        }
        if (found == 0)
            throw new ClapAuditException(ErrorKind.NotFound, $"{folder}: no AudioCaps split CSV found (expected one of: {string.Join(", ", splits.Select(FileFor))})");
        return new PairReadResult(Name, pairs, problems.Items, missingPairs, missingAudio.Count);
    }

    internal static string Expand(string pattern, string youtubeId, string startTime, string audiocapId, string split) =>
        new StringBuilder(pattern)
            .Replace("{youtube_id}", youtubeId)
            .Replace("{start_time}", startTime)
            .Replace("{audiocap_id}", audiocapId)
            .Replace("{split}", split)
            .ToString();

    private static string FileFor(string split) => $"{split}.csv";
}
