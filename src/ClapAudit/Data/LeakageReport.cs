using System.Text.Json.Nodes;

namespace ClapAudit.Data;

/// <summary>A number of pairs and of distinct audio files.</summary>
public sealed record PairAudioCount(int Pairs, int Audio)
{
    public JsonObject ToJson() => new() { ["pairs"] = Pairs, ["audio"] = Audio };
}

/// <summary>What one class word removed.</summary>
/// <param name="Captions">Captions that contain the word.</param>
/// <param name="Pairs">Pairs removed because of the word: every pair of every audio file with a caption containing it.</param>
/// <param name="Audio">Audio files with a caption containing the word.</param>
/// <param name="ByDataset">The same pairs and audio counts per dataset.</param>
public sealed record WordRemoval(int Captions, int Pairs, int Audio, IReadOnlyDictionary<string, PairAudioCount> ByDataset);

/// <summary>Before, removed and after counts for one dataset.</summary>
public sealed record DatasetRemoval(PairAudioCount Before, PairAudioCount Removed, PairAudioCount After);

public sealed record CaptionCount(string Caption, int Count);

/// <summary>
/// What the leakage filter removed: per word and per dataset, totals before and after, and the
/// most common removed captions. An audio file with captions holding two words counts under both,
/// so per-word counts may add up to more than the total.
/// </summary>
public sealed record LeakageReport(
    IReadOnlyList<string> Words,
    WordMatch Match,
    IReadOnlyList<string> Stopwords,
    PairAudioCount Before,
    PairAudioCount Removed,
    PairAudioCount After,
    IReadOnlyDictionary<string, WordRemoval> ByWord,
    IReadOnlyDictionary<string, DatasetRemoval> ByDataset,
    IReadOnlyList<CaptionCount> TopRemovedCaptions)
{
    public const int TopCaptionCount = 20;

    /// <summary>What the filter computed: matched words per pair, and per audio file its dataset, pair count and words (null: clean).</summary>
    internal sealed record Tally(IReadOnlyList<string>[] Matched, List<string> AudioDataset, List<int> AudioPairs, HashSet<string>?[] AudioWords);

    internal static LeakageReport Build(LeakageFilter filter, Tally t, IReadOnlyList<AudioTextPair> removed)
    {
        var datasets = t.AudioDataset.Distinct(StringComparer.Ordinal).ToArray();
        var before = datasets.ToDictionary(d => d, _ => (Pairs: 0, Audio: 0), StringComparer.Ordinal);
        var gone = datasets.ToDictionary(d => d, _ => (Pairs: 0, Audio: 0), StringComparer.Ordinal);
        // Per word and dataset: pairs and audio files of the audio files the word condemned. O(audio x words found).
        var perWord = filter.Words.ToDictionary(w => w, _ => datasets.ToDictionary(d => d, _ => (Pairs: 0, Audio: 0), StringComparer.Ordinal), StringComparer.Ordinal);
        for (int a = 0; a < t.AudioDataset.Count; a++)
        {
            string d = t.AudioDataset[a];
            int n = t.AudioPairs[a];
            before[d] = (before[d].Pairs + n, before[d].Audio + 1);
            if (t.AudioWords[a] is not { } words) continue;
            gone[d] = (gone[d].Pairs + n, gone[d].Audio + 1);
            foreach (var w in words)
            {
                var c = perWord[w][d];
                perWord[w][d] = (c.Pairs + n, c.Audio + 1);
            }
        }
        var byDataset = new Dictionary<string, DatasetRemoval>(StringComparer.Ordinal);
        foreach (var d in datasets)
            byDataset[d] = new DatasetRemoval(new(before[d].Pairs, before[d].Audio), new(gone[d].Pairs, gone[d].Audio),
                new(before[d].Pairs - gone[d].Pairs, before[d].Audio - gone[d].Audio));

        var captions = filter.Words.ToDictionary(w => w, _ => 0, StringComparer.Ordinal);
        foreach (var m in t.Matched) foreach (var w in m) captions[w]++;
        var byWord = new Dictionary<string, WordRemoval>(StringComparer.Ordinal);
        foreach (var w in filter.Words)
        {
            var perDataset = perWord[w];
            byWord[w] = new WordRemoval(captions[w], perDataset.Values.Sum(c => c.Pairs), perDataset.Values.Sum(c => c.Audio),
                perDataset.ToDictionary(kv => kv.Key, kv => new PairAudioCount(kv.Value.Pairs, kv.Value.Audio), StringComparer.Ordinal));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in removed) counts[p.Caption] = counts.GetValueOrDefault(p.Caption) + 1;
        var top = counts.Select(kv => new CaptionCount(kv.Key, kv.Value))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Caption, StringComparer.Ordinal)
            .Take(TopCaptionCount).ToArray();

        var total = new PairAudioCount(before.Values.Sum(c => c.Pairs), before.Values.Sum(c => c.Audio));
        var removedCount = new PairAudioCount(gone.Values.Sum(c => c.Pairs), gone.Values.Sum(c => c.Audio));
        return new LeakageReport(filter.Words, filter.Options.Match, filter.Options.Stopwords ?? [], total, removedCount,
            new PairAudioCount(total.Pairs - removedCount.Pairs, total.Audio - removedCount.Audio), byWord, byDataset, top);
    }

    /// <summary>The <c>leakage.json</c> document (see docs/formats.md).</summary>
    public JsonObject ToJson()
    {
        var byWord = new JsonObject();
        foreach (var w in Words)
        {
            var r = ByWord[w];
            var ds = new JsonObject();
            foreach (var (d, c) in r.ByDataset) ds[d] = c.ToJson();
            byWord[w] = new JsonObject { ["pairs"] = r.Pairs, ["audio"] = r.Audio, ["captions"] = r.Captions, ["by_dataset"] = ds };
        }
        var byDataset = new JsonObject();
        foreach (var (d, r) in ByDataset)
            byDataset[d] = new JsonObject { ["before"] = r.Before.ToJson(), ["removed"] = r.Removed.ToJson(), ["after"] = r.After.ToJson() };
        return new JsonObject
        {
            ["words"] = new JsonArray(Words.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["match"] = Match.ToString().ToLowerInvariant(),
            ["stopwords"] = new JsonArray(Stopwords.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["before"] = Before.ToJson(),
            ["removed"] = Removed.ToJson(),
            ["after"] = After.ToJson(),
            ["by_word"] = byWord,
            ["by_dataset"] = byDataset,
            ["top_removed_captions"] = new JsonArray(TopRemovedCaptions
                .Select(c => (JsonNode?)new JsonObject { ["caption"] = c.Caption, ["count"] = c.Count }).ToArray()),
        };
    }
}
