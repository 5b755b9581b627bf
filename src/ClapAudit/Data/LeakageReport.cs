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

    internal static LeakageReport Build(LeakageFilter filter, IReadOnlyList<AudioTextPair> pairs, IReadOnlyList<AudioTextPair> removed,
        Dictionary<string, HashSet<string>> audioWords, IReadOnlyList<string>[] matched)
    {
        var datasets = pairs.Select(p => p.Dataset).Distinct(StringComparer.Ordinal).ToArray();
        PairAudioCount Count(IEnumerable<AudioTextPair> ps)
        {
            int n = 0;
            var audio = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in ps) { n++; audio.Add(p.AudioPath); }
            return new PairAudioCount(n, audio.Count);
        }

        var byDataset = new Dictionary<string, DatasetRemoval>(StringComparer.Ordinal);
        foreach (var d in datasets)
        {
            var before = Count(pairs.Where(p => p.Dataset == d));
            var rem = Count(removed.Where(p => p.Dataset == d));
            byDataset[d] = new DatasetRemoval(before, rem, new PairAudioCount(before.Pairs - rem.Pairs, before.Audio - rem.Audio));
        }

        // Per word: captions holding it, and the pairs/audio of the audio files it condemned.
        var captions = filter.Words.ToDictionary(w => w, _ => 0, StringComparer.Ordinal);
        foreach (var m in matched) foreach (var w in m) captions[w]++;
        var pairsPerAudio = new Dictionary<string, (string Dataset, int Pairs)>(StringComparer.Ordinal);
        foreach (var p in removed)
            pairsPerAudio[p.AudioPath] = (p.Dataset, pairsPerAudio.TryGetValue(p.AudioPath, out var v) ? v.Pairs + 1 : 1);
        var byWord = new Dictionary<string, WordRemoval>(StringComparer.Ordinal);
        foreach (var w in filter.Words)
        {
            var perDataset = datasets.ToDictionary(d => d, _ => (Pairs: 0, Audio: 0), StringComparer.Ordinal);
            foreach (var (audio, words) in audioWords)
            {
                if (!words.Contains(w)) continue;
                var (d, n) = pairsPerAudio[audio];
                var c = perDataset[d];
                perDataset[d] = (c.Pairs + n, c.Audio + 1);
            }
            byWord[w] = new WordRemoval(captions[w], perDataset.Values.Sum(c => c.Pairs), perDataset.Values.Sum(c => c.Audio),
                perDataset.ToDictionary(kv => kv.Key, kv => new PairAudioCount(kv.Value.Pairs, kv.Value.Audio), StringComparer.Ordinal));
        }

        var top = removed.GroupBy(p => p.Caption, StringComparer.Ordinal)
            .Select(g => new CaptionCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Caption, StringComparer.Ordinal)
            .Take(TopCaptionCount).ToArray();

        var total = Count(pairs);
        var removedCount = Count(removed);
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
