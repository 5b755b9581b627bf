#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ClapAudit.Audio.Fingerprints;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings of <see cref="OverlapFinder.Find"/>: the test sets, the training sets, and whether to compare
/// audio.</summary>
/// <param name="OutDir">Where overlap.json and exclude.json go; null: in memory only.</param>
/// <param name="Content">Also compare audio content with landmark fingerprints (otherwise source ids only).</param>
/// <param name="CacheDir">Fingerprint cache; null: <c>OutDir/fingerprints</c> (no cache without an OutDir).</param>
/// <param name="Threads">Files fingerprinted at once; 0: every core.</param>
public sealed record OverlapOptions(
    string? OutDir,
    string? Esc50Dir = null,
    string? UrbanSound8kDir = null,
    string? ClothoDir = null,
    string? Fsd50kDir = null,
    string? AudioCapsDir = null,
    string? MacsDir = null,
    string? AudioSetDir = null,
    bool Content = false,
    string? CacheDir = null,
    int Threads = 0,
    FingerprintOptions? Fingerprint = null,
    AudioCapsOptions? AudioCaps = null,
    AudioSetOptions? AudioSet = null,
    MacsOptions? Macs = null)
{
    internal void Validate()
    {
        Guard.Setting(Esc50Dir is not null || UrbanSound8kDir is not null, "no test set given: name the ESC-50 or UrbanSound8K folder");
        Guard.Setting((ClothoDir ?? Fsd50kDir ?? AudioCapsDir ?? MacsDir ?? AudioSetDir) is not null,
            "no training set given: name at least one of Clotho, FSD50K, AudioCaps, MACS and AudioSet");
        Guard.Setting(Threads >= 0, $"threads must be 0 (all cores) or positive, got {Threads}");
        (Fingerprint ?? new FingerprintOptions()).Validate();
    }
}

public enum OverlapMethod { Id, Content }

/// <summary>One test clip found in a training item.</summary>
/// <param name="Item">The training item as its manifest names it (file name, fname, YouTube id).</param>
/// <param name="OffsetSeconds">Content matches: where the test clip starts in the training recording
/// (negative: the recording starts inside the test clip); null for id matches.</param>
/// <param name="Score">Content matches: the share of the test clip's landmarks found aligned; null for id
/// matches.</param>
public sealed record OverlapMatch(string TestDataset, string Test, string Dataset, string Item, OverlapMethod Method,
    double? OffsetSeconds, double? Score, string? SourceId);

/// <summary>One test set's line in the summary.</summary>
public sealed record OverlapTestSummary(int Clips, int WithSourceId, int MatchedClips, int TooFewLandmarks);

/// <summary>One training set's line in the summary.</summary>
/// <param name="Note">Why some matches cannot be found, e.g. a dataset without source ids.</param>
public sealed record OverlapTrainSummary(int Items, SourceIdKind IdKind, int ItemsWithId, int IdMatchedItems,
    int ContentChecked, int ContentMatchedItems, int Unreadable, string? Note);

/// <param name="FingerprintSeconds">Wall time of the content comparison (0 without it).</param>
public sealed record OverlapSummary(
    IReadOnlyDictionary<string, OverlapTestSummary> Tests,
    IReadOnlyDictionary<string, OverlapTrainSummary> Training,
    bool Content, int Fingerprinted, int FromCache, double FingerprintSeconds, double AudioSeconds,
    IReadOnlyList<string> Notes);

/// <summary>What <c>data overlap</c> found: the matches, a summary, and unreadable training files.</summary>
public sealed record OverlapResult(IReadOnlyList<OverlapMatch> Matches, OverlapSummary Summary, IReadOnlyList<DataProblem> Problems)
{
    public const string OverlapFile = "overlap.json";
    public const string ExcludeFile = "exclude.json";

    /// <summary>The <c>overlap.json</c> document (docs/formats.md).</summary>
    public JsonObject ToJson()
    {
        var tests = new JsonObject();
        foreach (var (name, t) in Summary.Tests)
            tests[name] = new JsonObject
            {
                ["clips"] = t.Clips,
                ["with_source_id"] = t.WithSourceId,
                ["matched_clips"] = t.MatchedClips,
                ["too_few_landmarks"] = t.TooFewLandmarks,
            };
        var training = new JsonObject();
        foreach (var (name, t) in Summary.Training)
            training[name] = new JsonObject
            {
                ["items"] = t.Items,
                ["id_kind"] = t.IdKind == SourceIdKind.None ? null : t.IdKind.ToString().ToLowerInvariant(),
                ["items_with_id"] = t.ItemsWithId,
                ["id_matched_items"] = t.IdMatchedItems,
                ["content_checked"] = t.ContentChecked,
                ["content_matched_items"] = t.ContentMatchedItems,
                ["unreadable"] = t.Unreadable,
                ["note"] = t.Note,
            };
        return new JsonObject
        {
            ["matches"] = new JsonArray(Matches.Select(m => (JsonNode?)new JsonObject
            {
                ["test"] = m.Test,
                ["test_dataset"] = m.TestDataset,
                ["dataset"] = m.Dataset,
                ["item"] = m.Item,
                ["method"] = m.Method.ToString().ToLowerInvariant(),
                ["offset_seconds"] = m.OffsetSeconds,
                ["score"] = m.Score,
                ["source_id"] = m.SourceId,
            }).ToArray()),
            ["summary"] = new JsonObject
            {
                ["tests"] = tests,
                ["training"] = training,
                ["content"] = Summary.Content,
                ["fingerprinted"] = Summary.Fingerprinted,
                ["from_cache"] = Summary.FromCache,
                ["fingerprint_seconds"] = Math.Round(Summary.FingerprintSeconds, 3),
                ["audio_seconds"] = Math.Round(Summary.AudioSeconds, 3),
                ["notes"] = new JsonArray(Summary.Notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
                ["problems"] = Problems.Count,
            },
        };
    }

    /// <summary>The training items to leave out, as <see cref="ExclusionList"/> (WavCaps' blacklist shape).</summary>
    public ExclusionList ToExclusionList() => ExclusionList.FromMatches(Matches);
}

/// <summary>Progress of <see cref="OverlapFinder.Find"/>: a stage and how far it is.</summary>
public sealed record OverlapProgress(string Stage, int Done, int Total);

/// <summary>
/// Finds test clips whose source recording is in the training data: by source id (Freesound, YouTube) and,
/// with <see cref="OverlapOptions.Content"/>, by audio content with landmark fingerprints. The test set is
/// indexed (<see cref="LandmarkIndex"/>) and the training files stream past it in parallel, so memory grows
/// with the test set only. Cost: one decode + fingerprint per training file (cached), O(landmarks) lookups.
/// </summary>
public static class OverlapFinder
{
    public static OverlapResult Find(OverlapOptions options, IProgress<OverlapProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var fpOptions = options.Fingerprint ?? new FingerprintOptions();
        var tests = new List<(string Name, IReadOnlyList<SourceItem> Items)>();
        if (options.Esc50Dir is { } esc) tests.Add((SourceItems.Esc50Name, SourceItems.Esc50(esc)));
        if (options.UrbanSound8kDir is { } us) tests.Add((UrbanSound8kReader.Name, SourceItems.UrbanSound8k(us)));
        var training = new List<(string Name, IReadOnlyList<SourceItem> Items)>();
        if (options.ClothoDir is { } c) training.Add((ClothoReader.Name, SourceItems.Clotho(c)));
        if (options.Fsd50kDir is { } f) training.Add((Fsd50kReader.Name, SourceItems.Fsd50k(f)));
        if (options.AudioCapsDir is { } a) training.Add((AudioCapsReader.Name, SourceItems.AudioCaps(a, options.AudioCaps)));
        if (options.MacsDir is { } m) training.Add((MacsReader.Name, SourceItems.Macs(m, options.Macs)));
        if (options.AudioSetDir is { } s) training.Add(("audioset", SourceItems.AudioSet(s, options.AudioSet)));

        var matches = new List<OverlapMatch>();
        var notes = new List<string>();
        FindById(tests, training, matches, notes);

        var testItems = tests.SelectMany(t => t.Items).ToArray();
        var trainItems = training.SelectMany(t => t.Items).ToArray();
        var unreadable = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var problems = new ConcurrentBag<DataProblem>();
        int fingerprinted = 0, fromCache = 0, tooFew = 0;
        double seconds = 0, audioSeconds = 0;
        var tooFewPerTest = new HashSet<SourceItem>();
        if (options.Content)
        {
            var clock = Stopwatch.StartNew();
            string? cacheDir = options.CacheDir ?? (options.OutDir is { } o ? Path.Combine(o, "fingerprints") : null);
            var cache = new FingerprintCache(cacheDir, fpOptions);
            var parallel = new ParallelOptions
            {
                MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount,
                CancellationToken = cancellationToken,
            };
            // Test clips must all be readable: a test set with a bad file is an error, not a note.
            var testPrints = new Fingerprint[testItems.Length][];
            int done = 0;
            Parallel.For(0, testItems.Length, parallel, i =>
            {
                testPrints[i] = new Fingerprint[fpOptions.Shifts];
                for (int shift = 0; shift < fpOptions.Shifts; shift++)
                {
                    testPrints[i][shift] = cache.Get(testItems[i].AudioPath, out bool hit, shift);
                    if (hit && shift == 0) Interlocked.Increment(ref fromCache);
                }
                progress?.Report(new OverlapProgress("fingerprinting test clips", Interlocked.Increment(ref done), testItems.Length));
            });
            var index = new LandmarkIndex(testPrints, fpOptions);
            for (int i = 0; i < testItems.Length; i++)
                if (index.LandmarkCount(i) < fpOptions.MinMatches) { tooFew++; tooFewPerTest.Add(testItems[i]); }
            if (tooFew > 0) notes.Add($"{tooFew} test clips have fewer than {fpOptions.MinMatches} landmarks (near-silent) and cannot match by content");

            var found = new ConcurrentBag<OverlapMatch>();
            long frames = 0;
            done = 0;
            Parallel.ForEach(trainItems, parallel, item =>
            {
                Fingerprint fp;
                try
                {
                    fp = cache.Get(item.AudioPath, out bool hit);
                    if (hit) Interlocked.Increment(ref fromCache);
                }
                catch (ClapAuditException e)
                {
                    // One bad training file must not stop an audit of 50,000: count it and say which.
                    unreadable.AddOrUpdate(item.Dataset, 1, (_, n) => n + 1);
                    problems.Add(new DataProblem(item.AudioPath, 0, e.Message));
                    return;
                }
                Interlocked.Add(ref frames, fp.Frames);
                foreach (var hit in index.Match(fp))
                {
                    var test = testItems[hit.Test];
                    found.Add(new OverlapMatch(test.Dataset, test.Item, item.Dataset, item.Item, OverlapMethod.Content,
                        Math.Round(hit.OffsetFrames * fpOptions.FrameSeconds, 3), Math.Round(hit.Score, 4), item.SourceId));
                }
                progress?.Report(new OverlapProgress("fingerprinting training audio", Interlocked.Increment(ref done), trainItems.Length));
            });
            matches.AddRange(found);
            fingerprinted = testItems.Length + trainItems.Length - unreadable.Values.Sum();
            seconds = clock.Elapsed.TotalSeconds;
            audioSeconds = frames * fpOptions.FrameSeconds;
        }
        else notes.Add("content not compared (run with --content to find copies under other ids)");

        var ordered = matches
            .OrderBy(x => x.TestDataset, StringComparer.Ordinal).ThenBy(x => x.Test, StringComparer.Ordinal)
            .ThenBy(x => x.Dataset, StringComparer.Ordinal).ThenBy(x => x.Item, StringComparer.Ordinal)
            .ThenBy(x => x.Method).ToArray();
        var testSummary = tests.ToDictionary(t => t.Name, t => new OverlapTestSummary(
            t.Items.Count, t.Items.Count(i => i.SourceId is not null),
            ordered.Where(x => x.TestDataset == t.Name).Select(x => x.Test).Distinct().Count(),
            t.Items.Count(tooFewPerTest.Contains)), StringComparer.Ordinal);
        var trainSummary = training.ToDictionary(t => t.Name, t =>
        {
            var kind = t.Items.Count > 0 ? t.Items[0].Kind : SourceIdKind.None;
            int withId = t.Items.Count(i => i.SourceId is not null);
            string? note = kind == SourceIdKind.None ? "no source id published: checked by content only"
                : withId < t.Items.Count ? $"{t.Items.Count - withId} items without a source id: checked by content only"
                : null;
            if (kind == SourceIdKind.YouTube && !tests.Any(x => x.Items.Any(i => i.Kind == SourceIdKind.YouTube)))
                note = "YouTube ids, none in the test sets: checked by content only";
            if (note is not null && !options.Content) note = note.Replace("checked by content only", "not checked (no --content)");
            int unread = unreadable.GetValueOrDefault(t.Name);
            return new OverlapTrainSummary(t.Items.Count, kind, withId,
                ordered.Where(x => x.Dataset == t.Name && x.Method == OverlapMethod.Id).Select(x => x.Item).Distinct().Count(),
                options.Content ? t.Items.Count - unread : 0,
                ordered.Where(x => x.Dataset == t.Name && x.Method == OverlapMethod.Content).Select(x => x.Item).Distinct().Count(),
                unread, note);
        }, StringComparer.Ordinal);
        var result = new OverlapResult(ordered,
            new OverlapSummary(testSummary, trainSummary, options.Content, fingerprinted, fromCache, seconds, audioSeconds, notes),
            problems.OrderBy(p => p.File, StringComparer.Ordinal).ToArray());

        if (options.OutDir is { } outDir)
        {
            Directory.CreateDirectory(outDir);
            ManifestBuilder.WriteJson(Path.Combine(outDir, OverlapResult.OverlapFile), result.ToJson());
            ManifestBuilder.WriteJson(Path.Combine(outDir, OverlapResult.ExcludeFile), result.ToExclusionList().ToJson());
        }
        return result;
    }

    /// <summary>Same source id, same id kind: O(test + training items) with a hash set.</summary>
    private static void FindById(List<(string Name, IReadOnlyList<SourceItem> Items)> tests,
        List<(string Name, IReadOnlyList<SourceItem> Items)> training, List<OverlapMatch> matches, List<string> notes)
    {
        var byId = new Dictionary<(SourceIdKind, string), List<SourceItem>>();
        foreach (var (_, items) in tests)
            foreach (var t in items)
                if (t.SourceId is { } id)
                {
                    if (!byId.TryGetValue((t.Kind, id), out var list)) byId[(t.Kind, id)] = list = [];
                    list.Add(t);
                }
        foreach (var (_, items) in training)
            foreach (var item in items)
                if (item.SourceId is { } id && byId.TryGetValue((item.Kind, id), out var hits))
                    foreach (var t in hits)
                        matches.Add(new OverlapMatch(t.Dataset, t.Item, item.Dataset, item.Item, OverlapMethod.Id, null, null, id));
        if (!tests.Any(t => t.Items.Any(i => i.Kind == SourceIdKind.YouTube)) && training.Any(t => t.Items.Any(i => i.Kind == SourceIdKind.YouTube)))
            notes.Add("the test sets carry no YouTube ids: AudioSet and AudioCaps are compared by content only");
    }
}
