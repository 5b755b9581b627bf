#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Which public id a dataset's items carry for the recording they came from.</summary>
public enum SourceIdKind { None, Freesound, YouTube }

/// <summary>One audio file of a dataset with the id of its source recording, when the dataset publishes one.</summary>
/// <param name="Dataset">"esc50", "clotho", ...</param>
/// <param name="Item">The item as the dataset's manifest names it: a file name, FSD50K's fname, a YouTube id.</param>
/// <param name="SourceId">Freesound sound id or YouTube id; null when the dataset carries none for this item.</param>
public sealed record SourceItem(string Dataset, string Item, string AudioPath, SourceIdKind Kind, string? SourceId);

/// <summary>
/// Every dataset's items with their source ids, read through the dataset readers: ESC-50's Freesound id is the
/// second field of <c>{fold}-{clip_id}-{take}-{target}.wav</c>; UrbanSound8K's is <c>fsID</c>; FSD50K's fname is
/// the Freesound id; Clotho's is <c>sound_id</c> in <c>clotho_metadata_{split}.csv</c>; AudioCaps and AudioSet
/// carry YouTube ids; MACS (TAU Urban Acoustic Scenes) carries none.
/// </summary>
public static class SourceItems
{
    public const string Esc50Name = "esc50";

    public static IReadOnlyList<SourceItem> Esc50(string folder) =>
        Esc50Reader.Read(folder).Items.Select(i =>
        {
            var parts = Path.GetFileNameWithoutExtension(i.FileName).Split('-');
            string? id = parts.Length == 4 && parts[1].Length > 0 && parts[1].All(char.IsAsciiDigit) ? parts[1] : null;
            return new SourceItem(Esc50Name, i.FileName, i.AudioPath, SourceIdKind.Freesound, id);
        }).ToArray();

    public static IReadOnlyList<SourceItem> UrbanSound8k(string folder) =>
        UrbanSound8kReader.Read(folder).Items.Select(i => new SourceItem(UrbanSound8kReader.Name, i.FileName, i.AudioPath,
            SourceIdKind.Freesound, i.FreesoundId.Length > 0 ? i.FreesoundId : null)).ToArray();

    public static IReadOnlyList<SourceItem> Clotho(string folder, ClothoOptions? options = null)
    {
        var ids = ClothoSoundIds(folder);
        return Distinct(ClothoReader.Read(folder, options).Pairs, p =>
        {
            string file = Path.GetFileName(p.AudioPath);
            return new SourceItem(ClothoReader.Name, file, p.AudioPath, SourceIdKind.Freesound, ids.GetValueOrDefault(file));
        });
    }

    public static IReadOnlyList<SourceItem> Fsd50k(string folder) =>
        Distinct(Fsd50kReader.Read(folder).Pairs,
            p => new SourceItem(Fsd50kReader.Name, p.Id, p.AudioPath, SourceIdKind.Freesound, p.Id));

    public static IReadOnlyList<SourceItem> AudioCaps(string folder, AudioCapsOptions? options = null)
    {
        var yt = AudioCapsYoutubeIds(folder);
        return Distinct(AudioCapsReader.Read(folder, options).Pairs, p =>
        {
            string id = yt[p.Id];
            return new SourceItem(AudioCapsReader.Name, id, p.AudioPath, SourceIdKind.YouTube, id);
        });
    }

    public static IReadOnlyList<SourceItem> AudioSet(string folder, AudioSetOptions? options = null) =>
        AudioSetReader.Read(folder, options).Clips.DistinctBy(c => c.AudioPath, StringComparer.Ordinal)
            .Select(c => new SourceItem("audioset", c.YtId, c.AudioPath, SourceIdKind.YouTube, c.YtId)).ToArray();

    public static IReadOnlyList<SourceItem> Macs(string folder, MacsOptions? options = null) =>
        Distinct(MacsReader.Read(folder, options).Pairs,
            p => new SourceItem(MacsReader.Name, Path.GetFileName(p.AudioPath), p.AudioPath, SourceIdKind.None, null));

    /// <summary>Clotho file_name to Freesound sound_id from every <c>clotho_metadata_*.csv</c> present (none:
    /// empty).</summary>
    public static IReadOnlyDictionary<string, string> ClothoSoundIds(string folder)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var split in ClothoOptions.AllSplits)
        {
            string path = Path.Combine(folder, $"clotho_metadata_{split}.csv");
            if (!File.Exists(path)) continue;
            using var csv = CsvTable.OpenWithHeader(path, "file_name", "sound_id");
            while (csv.Read())
            {
                string file = csv["file_name"].Trim(), id = csv["sound_id"].Trim();
                if (file.Length > 0 && id.Length > 0) ids[file] = id;
            }
        }
        return ids;
    }

    /// <summary>AudioCaps audiocap_id to youtube_id from every split CSV present.</summary>
    public static IReadOnlyDictionary<string, string> AudioCapsYoutubeIds(string folder)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var split in AudioCapsOptions.AllSplits)
        {
            string path = Path.Combine(folder, $"{split}.csv");
            if (!File.Exists(path)) continue;
            using var csv = CsvTable.OpenWithHeader(path, "audiocap_id", "youtube_id");
            while (csv.Read()) ids.TryAdd(csv["audiocap_id"].Trim(), csv["youtube_id"].Trim());
        }
        return ids;
    }

    private static SourceItem[] Distinct(IEnumerable<AudioTextPair> pairs, Func<AudioTextPair, SourceItem> make) =>
        pairs.DistinctBy(p => p.AudioPath, StringComparer.Ordinal).Select(make).ToArray();
}
