using System.Collections.Concurrent;
using ClapAudit.Common;
using ClapAudit.Text;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace ClapAudit.Data;

/// <summary>The pairs a filter kept and removed, and the report of why.</summary>
public sealed record FilterResult(IReadOnlyList<AudioTextPair> Kept, IReadOnlyList<AudioTextPair> Removed, LeakageReport Report);

/// <summary>
/// The paper's "clean" rule (Sec. 2.2): remove every audio example (all of its pairs) any of whose
/// captions contains a word of the ESC-50 class set. Class names are split on underscores and
/// spaces and lower-cased ("door_wood_knock" gives door, wood, knock); captions are split into
/// words by <see cref="BasicTokenizer"/> (the BERT basic tokenisation the text model sees), and a
/// word matches exactly or by Snowball stem (<see cref="WordMatch"/>). The same words, plus a
/// committed ESC-50 to AudioSet table, clean AudioSet-style labels for pre-training.
/// Cost: O(total caption length); an audio file is identified by its path.
/// </summary>
public sealed class LeakageFilter
{
    private readonly Dictionary<string, string[]> _keyToWords;
    private readonly ConcurrentDictionary<string, string> _stems = new(StringComparer.Ordinal);
    private static readonly ThreadLocal<EnglishStemmer> Stemmer = new(() => new EnglishStemmer());

    /// <summary>The words searched for, in class order, after stopwords are removed.</summary>
    public IReadOnlyList<string> Words { get; }
    /// <summary>The class names the words came from (ESC-50 categories as published), or empty for a plain word list.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    public LeakageFilterOptions Options { get; }

    private LeakageFilter(IReadOnlyList<string> classNames, IReadOnlyList<string> words, LeakageFilterOptions options)
    {
        Options = options;
        ClassNames = classNames;
        var stop = new HashSet<string>((options.Stopwords ?? []).Select(s => s.Trim().ToLowerInvariant()), StringComparer.Ordinal);
        Words = words.Select(w => w.ToLowerInvariant()).Where(w => w.Length > 0 && !stop.Contains(w)).Distinct(StringComparer.Ordinal).ToArray();
        Guard.Setting(Words.Count > 0, "the leakage filter has no words left (every word is a stopword, or the word list is empty)");
        _keyToWords = Words.GroupBy(Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The filter for ESC-50's class set (or, with <see cref="LeakageFilterOptions.Words"/>, a custom list).</summary>
    public static LeakageFilter FromEsc50(ZeroShotTestSet esc50, LeakageFilterOptions? options = null) =>
        FromClassNames(esc50.RawCategories, options);

    /// <summary>The filter for any class names ("door_wood_knock", "church bells").</summary>
    public static LeakageFilter FromClassNames(IEnumerable<string> classNames, LeakageFilterOptions? options = null)
    {
        options ??= new LeakageFilterOptions();
        var names = classNames.ToArray();
        var words = options.Words ?? names.SelectMany(WordsOf).ToArray();
        return new LeakageFilter(names, words, options);
    }

    /// <summary>A filter for a plain word list (no class names, so no AudioSet mapping).</summary>
    public static LeakageFilter FromWords(IEnumerable<string> words, LeakageFilterOptions? options = null) =>
        new([], words.SelectMany(WordsOf).ToArray(), options ?? new LeakageFilterOptions());

    /// <summary>The words of a class name: split on underscores and white space, lower-cased.</summary>
    public static IReadOnlyList<string> WordsOf(string className) =>
        className.Split(['_', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.ToLowerInvariant()).ToArray();

    /// <summary>The filter's words found in a text, in the filter's word order, each once.</summary>
    public IReadOnlyList<string> MatchedWords(string text)
    {
        List<string>? found = null;
        foreach (var token in BasicTokenizer.Uncased.Tokenize(text))
            if (_keyToWords.TryGetValue(Key(token), out var words))
                foreach (var w in words)
                    if (!(found ??= []).Contains(w)) found.Add(w);
        if (found is null) return [];
        return found.Count == 1 ? found : Words.Where(found.Contains).ToArray();
    }

    public bool Matches(string text) => MatchedWords(text).Count > 0;

    private string Key(string token)
    {
        if (Options.Match == WordMatch.Exact) return token;
        return _stems.GetOrAdd(token, static t =>
        {
            var s = Stemmer.Value!;
            s.SetCurrent(t);
            s.Stem();
            return s.Current;
        });
    }

    /// <summary>
    /// Removes every audio file any of whose captions contains a word, with all of its pairs.
    /// Pair order is kept in both outputs.
    /// </summary>
    public FilterResult Filter(IReadOnlyList<AudioTextPair> pairs, CancellationToken cancellationToken = default)
    {
        var matched = new IReadOnlyList<string>[pairs.Count];
        // Tokenising is the cost: split it into a few large ranges per core (per-item scheduling costs more than the work).
        int chunk = Math.Max(1024, pairs.Count / (4 * Environment.ProcessorCount) + 1);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, pairs.Count, chunk),
            new ParallelOptions { CancellationToken = cancellationToken },
            range => { for (int i = range.Item1; i < range.Item2; i++) matched[i] = MatchedWords(pairs[i].Caption); });

        // Number the audio files once; everything after works on these indices.
        var audioIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var audioOf = new int[pairs.Count];
        var audioDataset = new List<string>();
        var audioPairs = new List<int>();
        for (int i = 0; i < pairs.Count; i++)
        {
            if (!audioIndex.TryGetValue(pairs[i].AudioPath, out int a))
            {
                audioIndex[pairs[i].AudioPath] = a = audioDataset.Count;
                audioDataset.Add(pairs[i].Dataset);
                audioPairs.Add(0);
            }
            audioOf[i] = a;
            audioPairs[a]++;
        }
        // Words found per audio file, over all of its captions (null: none).
        var audioWords = new HashSet<string>?[audioDataset.Count];
        for (int i = 0; i < pairs.Count; i++)
            if (matched[i].Count > 0) (audioWords[audioOf[i]] ??= new(StringComparer.Ordinal)).UnionWith(matched[i]);

        var kept = new List<AudioTextPair>(pairs.Count);
        var removed = new List<AudioTextPair>();
        for (int i = 0; i < pairs.Count; i++)
            (audioWords[audioOf[i]] is null ? kept : removed).Add(pairs[i]);

        var report = LeakageReport.Build(this, new LeakageReport.Tally(matched, audioDataset, audioPairs, audioWords), removed);
        return new FilterResult(kept, removed, report);
    }

    /// <summary>
    /// The clean pre-training clip list: removes every AudioSet clip with a label whose display name
    /// contains a word (tokenised as captions are), or that the mapping table ties to an ESC-50 class
    /// of this filter with at least one word still in the word set.
    /// </summary>
    public AudioSetFilterResult FilterAudioSet(AudioSetDataset data, Esc50AudioSetMap? map = null)
    {
        map ??= Esc50AudioSetMap.Default;
        var problems = new List<DataProblem>();
        var labelWords = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var labelMapped = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var c in data.Ontology.Classes)
        {
            var w = MatchedWords(c.DisplayName);
            if (w.Count > 0) labelWords[c.Mid] = w;
        }
        var wordSet = new HashSet<string>(Words, StringComparer.Ordinal);
        foreach (var cls in ClassNames)
        {
            if (!WordsOf(cls).Any(wordSet.Contains)) continue;
            foreach (var name in map.NamesFor(cls))
            {
                var c = data.Ontology.ByDisplayName(name);
                if (c is null)
                {
                    problems.Add(new DataProblem("esc50_audioset_map.tsv", 0, $"'{name}' (for {Esc50AudioSetMap.Normalize(cls)}) is not in the ontology being read; entry ignored"));
                    continue;
                }
                if (!labelMapped.TryGetValue(c.Mid, out var list)) labelMapped[c.Mid] = list = [];
                list.Add(Esc50AudioSetMap.Normalize(cls));
            }
        }
        var kept = new List<AudioSetClip>();
        var removed = new List<AudioSetClip>();
        var clipsPerLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var clip in data.Clips)
        {
            bool leaky = false;
            foreach (var mid in clip.Mids)
                if (labelWords.ContainsKey(mid) || labelMapped.ContainsKey(mid))
                {
                    leaky = true;
                    clipsPerLabel[mid] = clipsPerLabel.GetValueOrDefault(mid) + 1;
                }
            (leaky ? removed : kept).Add(clip);
        }
        var labels = data.Ontology.Classes
            .Where(c => labelWords.ContainsKey(c.Mid) || labelMapped.ContainsKey(c.Mid))
            .Select(c => new AudioSetLabelRemoval(c.Mid, c.DisplayName,
                labelWords.GetValueOrDefault(c.Mid) ?? [],
                labelMapped.TryGetValue(c.Mid, out var m) ? m.Distinct().ToArray() : [],
                clipsPerLabel.GetValueOrDefault(c.Mid)))
            .ToArray();
        return new AudioSetFilterResult(Words, Options.Match, data.Clips.Count, kept, removed, labels, problems);
    }
}
