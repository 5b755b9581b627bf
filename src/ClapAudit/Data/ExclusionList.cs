#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>
/// Training items to leave out, in the shape of WavCaps' blacklist files: a JSON object from a source to a list
/// of ids, <c>{"FreeSound": ["155000", ...], "AudioSet": ["--PJHxphWEs", ...]}</c>. Freesound ids remove Clotho
/// (by <c>sound_id</c>) and FSD50K (by fname) items; YouTube ids remove AudioCaps and AudioSet items (a leading
/// "Y" of a 12-character id and a file extension, as WavCaps' AudioSet_SL names carry, are dropped). Keys named
/// after a dataset ("clotho", "macs", ...) list items by name, for datasets without source ids. Other keys of
/// WavCaps' files (BBC_Sound_Effects, SoundBible) name sources ClapAudit does not read and are ignored.
/// </summary>
public sealed record ExclusionList(
    IReadOnlySet<string> Freesound,
    IReadOnlySet<string> YouTube,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Items,
    IReadOnlyList<string> IgnoredKeys)
{
    public const string FreesoundKey = "FreeSound";
    public const string YouTubeKey = "AudioSet";

    internal static ExclusionList FromMatches(IEnumerable<OverlapMatch> matches)
    {
        var fs = new SortedSet<string>(StringComparer.Ordinal);
        var yt = new SortedSet<string>(StringComparer.Ordinal);
        var items = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var m in matches)
        {
            bool youtube = m.Dataset is AudioCapsReader.Name or "audioset";
            if (m.SourceId is { } id) (youtube ? yt : fs).Add(id);
            else
            {
                if (!items.TryGetValue(m.Dataset, out var set)) items[m.Dataset] = set = new(StringComparer.Ordinal);
                set.Add(m.Item);
            }
        }
        return new ExclusionList(fs, yt, items.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value), []);
    }

    public JsonObject ToJson()
    {
        static JsonArray List(IEnumerable<string> ids) => new(ids.Order(StringComparer.Ordinal).Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        var doc = new JsonObject { [FreesoundKey] = List(Freesound), [YouTubeKey] = List(YouTube) };
        foreach (var (dataset, set) in Items) doc[dataset] = List(set);
        return doc;
    }

    public int Count => Freesound.Count + YouTube.Count + Items.Values.Sum(s => s.Count);

    /// <summary>Reads our exclude.json or a WavCaps blacklist; ids may be strings or integers.</summary>
    public static ExclusionList Read(string path)
    {
        Guard.FileExists(path, "exclusion list");
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not valid JSON: {e.Message}", e); }
        if (root is not JsonObject obj)
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: expected a JSON object from source to a list of ids (WavCaps' blacklist shape)");
        var fs = new HashSet<string>(StringComparer.Ordinal);
        var yt = new HashSet<string>(StringComparer.Ordinal);
        var items = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var ignored = new List<string>();
        string[] datasets = [ClothoReader.Name, AudioCapsReader.Name, Fsd50kReader.Name, MacsReader.Name, "audioset"];
        foreach (var (key, value) in obj)
        {
            if (value is not JsonArray array)
                throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: key '{key}' must hold a list of ids");
            var ids = array.Select((v, i) => v switch
            {
                JsonValue j when j.TryGetValue(out string? s) => s.Trim(),
                JsonValue j when j.TryGetValue(out long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: '{key}'[{i}] is not a string or integer id"),
            });
            if (key.Equals(FreesoundKey, StringComparison.OrdinalIgnoreCase)) fs.UnionWith(ids.Select(StripExtension));
            else if (key.Equals(YouTubeKey, StringComparison.OrdinalIgnoreCase) || key.StartsWith("AudioSet_", StringComparison.OrdinalIgnoreCase))
                yt.UnionWith(ids.Select(NormaliseYouTube));
            else if (datasets.Contains(key)) items[key] = ids.ToHashSet(StringComparer.Ordinal);
            else ignored.Add(key);
        }
        return new ExclusionList(fs, yt, items, ignored);
    }

    /// <summary>
    /// Removes every pair whose audio file is listed: by its source id (from <paramref name="identify"/>: Freesound or
    /// YouTube id, null when unknown) or by its item name in a dataset-named list. O(pairs).
    /// </summary>
    public (IReadOnlyList<AudioTextPair> Kept, ExclusionReport Report) Filter(IReadOnlyList<AudioTextPair> pairs,
        Func<AudioTextPair, (string Item, string? SourceId, SourceIdKind Kind)> identify, string file)
    {
        var kept = new List<AudioTextPair>(pairs.Count);
        var removed = new Dictionary<string, (int Pairs, HashSet<string> Audio)>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            var (item, id, kind) = identify(p);
            bool drop = (id is not null && (kind == SourceIdKind.Freesound ? Freesound : kind == SourceIdKind.YouTube ? YouTube : EmptySet).Contains(id))
                        || (Items.TryGetValue(p.Dataset, out var names) && names.Contains(item));
            if (!drop) { kept.Add(p); continue; }
            if (!removed.TryGetValue(p.Dataset, out var r)) removed[p.Dataset] = r = (0, new HashSet<string>(StringComparer.Ordinal));
            r.Audio.Add(p.AudioPath);
            removed[p.Dataset] = (r.Pairs + 1, r.Audio);
        }
        var byDataset = removed.ToDictionary(kv => kv.Key, kv => new PairAudioCount(kv.Value.Pairs, kv.Value.Audio.Count), StringComparer.Ordinal);
        return (kept, new ExclusionReport(file, Count, byDataset, IgnoredKeys));
    }

    private static readonly HashSet<string> EmptySet = [];

    private static string StripExtension(string id) => Path.GetExtension(id) is ".wav" or ".flac" or ".mp3" or ".ogg" ? Path.GetFileNameWithoutExtension(id) : id;

    private static string NormaliseYouTube(string id)
    {
        id = StripExtension(id);
        return id.Length == 12 && id[0] == 'Y' ? id[1..] : id;
    }
}

/// <summary>What <c>data prepare --exclude</c> removed, per dataset.</summary>
/// <param name="Listed">Ids and names in the list.</param>
/// <param name="IgnoredKeys">Keys of the list naming sources ClapAudit does not read.</param>
public sealed record ExclusionReport(string File, int Listed, IReadOnlyDictionary<string, PairAudioCount> ByDataset, IReadOnlyList<string> IgnoredKeys)
{
    public PairAudioCount Removed => new(ByDataset.Values.Sum(c => c.Pairs), ByDataset.Values.Sum(c => c.Audio));

    public JsonObject ToJson()
    {
        var ds = new JsonObject();
        foreach (var (d, c) in ByDataset.OrderBy(kv => kv.Key, StringComparer.Ordinal)) ds[d] = c.ToJson();
        return new JsonObject
        {
            ["file"] = File,
            ["listed"] = Listed,
            ["removed"] = Removed.ToJson(),
            ["by_dataset"] = ds,
            ["ignored_keys"] = new JsonArray(IgnoredKeys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray()),
        };
    }
}
