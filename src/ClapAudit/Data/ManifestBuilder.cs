#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Data;

/// <summary>Settings of <see cref="ManifestBuilder.Build"/>: which dataset folders, where to write, how to split and clean.</summary>
/// <param name="OutDir">Manifest folder (train.jsonl, val.jsonl, summary.json, leakage.json, problems.txt); null: build in memory only.</param>
/// <param name="Esc50Dir">With it, the manifests hold only the clean pairs (ESC-50 class words removed).</param>
/// <param name="CheckAudio">Check that audio files exist (one directory listing per folder); false takes them as present.</param>
/// <param name="ExcludeFile">An exclusion list (<c>data overlap</c>'s exclude.json or a WavCaps blacklist): its items are
/// removed before the leakage filter and counted in summary.json and leakage.json.</param>
public sealed record ManifestBuildOptions(
    string? OutDir,
    string? ClothoDir = null,
    string? AudioCapsDir = null,
    string? Fsd50kDir = null,
    string? MacsDir = null,
    string? Esc50Dir = null,
    SplitOptions? Split = null,
    LeakageFilterOptions? Leakage = null,
    ClothoOptions? Clotho = null,
    AudioCapsOptions? AudioCaps = null,
    Fsd50kOptions? Fsd50k = null,
    MacsOptions? Macs = null,
    bool CheckAudio = true,
    string? ExcludeFile = null)
{
    internal void Validate()
    {
        Guard.Setting(ClothoDir is not null || AudioCapsDir is not null || Fsd50kDir is not null || MacsDir is not null,
            "no dataset given: name at least one of the Clotho, AudioCaps, FSD50K and MACS folders");
        (Split ?? new SplitOptions()).Validate();
    }
}

/// <param name="Reads">Each reader's result, in the order clotho, audiocaps, fsd50k, macs (those given).</param>
/// <param name="Leakage">The leakage report, when the manifests were cleaned.</param>
/// <param name="Excluded">What the exclusion list removed, when one was given.</param>
public sealed record ManifestBuildResult(
    IReadOnlyList<AudioTextPair> Train,
    IReadOnlyList<AudioTextPair> Val,
    ManifestSummary Summary,
    LeakageReport? Leakage,
    IReadOnlyList<PairReadResult> Reads,
    IReadOnlyList<DataProblem> Problems,
    ExclusionReport? Excluded = null);

/// <summary>
/// Builds the paper's training manifests (Sec. 2.2): the union of Clotho, AudioCaps, FSD50K and
/// MACS, one pair per caption, pairs with missing audio left out and counted; with ESC-50 given,
/// every audio file with a caption holding an ESC-50 class word removed; then a seeded 80/20 split.
/// </summary>
public static class ManifestBuilder
{
    public const string SummaryFile = "summary.json";
    public const string LeakageFile = "leakage.json";
    public const string ProblemsFile = "problems.txt";

    public static ManifestBuildResult Build(ManifestBuildOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var split = options.Split ?? new SplitOptions();
        var index = new AudioFileIndex(options.CheckAudio);
        var reads = new List<PairReadResult>();

        void Read(string? dir, string name, Func<string, PairReadResult> read)
        {
            if (dir is null) return;
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report($"reading {name} from {dir}");
            var r = read(dir);
            progress?.Report($"{name}: {r.Pairs.Count} pairs, {r.MissingAudioPairs} with missing audio, {r.Problems.Count} problems");
            // A dataset that was asked for and gave nothing (a header-only CSV, items without annotations)
            // is an error: a manifest silently missing a dataset trains another model than the one asked.
            if (r.Pairs.Count == 0)
                throw new ClapAuditException(ErrorKind.InvalidData,
                    $"{dir}: {name} gave 0 pairs ({r.MissingAudioPairs} with missing audio, " +
                    $"{r.Problems.Count} problems" +
                    (r.Problems.Count > 0 ? $"; first: {r.Problems[0]}" : "") + ")");
            reads.Add(r);
        }
        Read(options.ClothoDir, ClothoReader.Name, d => ClothoReader.Read(d, options.Clotho, index));
        Read(options.AudioCapsDir, AudioCapsReader.Name, d => AudioCapsReader.Read(d, options.AudioCaps, index));
        Read(options.Fsd50kDir, Fsd50kReader.Name, d => Fsd50kReader.Read(d, options.Fsd50k, index));
        Read(options.MacsDir, MacsReader.Name, d => MacsReader.Read(d, options.Macs, index));

        var all = reads.SelectMany(r => r.Pairs).ToList();
        var problems = reads.SelectMany(r => r.Problems).ToList();

        ExclusionReport? excluded = null;
        if (options.ExcludeFile is { } excludeFile)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report($"removing the items listed in {excludeFile}");
            var list = ExclusionList.Read(excludeFile);
            var identify = SourceIdentifier(options);
            (var remaining, excluded) = list.Filter(all, identify, excludeFile);
            all = remaining.ToList();
        }

        LeakageReport? leakage = null;
        IReadOnlyList<AudioTextPair> clean = all;
        if (options.Esc50Dir is not null || options.Leakage?.Words is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LeakageFilter filter;
            if (options.Esc50Dir is not null)
            {
                progress?.Report($"reading ESC-50 class names from {options.Esc50Dir}");
                // Only the class names are needed here: do not look at ESC-50's audio.
                var esc50 = Esc50Reader.Read(options.Esc50Dir, new Esc50Options(CheckAudio: false));
                filter = LeakageFilter.FromEsc50(esc50, options.Leakage);
            }
            else filter = LeakageFilter.FromWords(options.Leakage!.Words!, options.Leakage);
            progress?.Report($"filtering {all.Count} pairs against {filter.Words.Count} words ({filter.Options.Match.ToString().ToLowerInvariant()} match)");
            var result = filter.Filter(all, cancellationToken);
            clean = result.Kept;
            leakage = result.Report;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var parts = DatasetSplitter.Split(clean, split);

        var datasets = new Dictionary<string, DatasetSummary>(StringComparer.Ordinal);
        foreach (var r in reads)
        {
            var kept = clean.Where(p => p.Dataset == r.Dataset).ToArray();
            var removed = leakage?.ByDataset.GetValueOrDefault(r.Dataset)?.Removed ?? new PairAudioCount(0, 0);
            datasets[r.Dataset] = new DatasetSummary(kept.Length, kept.Select(p => p.AudioPath).Distinct(StringComparer.Ordinal).Count(),
                r.MissingAudioPairs, r.MissingAudioFiles, removed, r.Problems.Count);
        }
        var summary = new ManifestSummary(parts.Train.Count, parts.Val.Count, datasets, split.Seed, split.By, split.ValFraction,
            parts.StraddlingAudio, leakage is not null, problems)
        { Excluded = excluded };

        if (options.OutDir is { } outDir)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report($"writing manifests to {outDir}");
            Directory.CreateDirectory(outDir);
            PairManifest.Write(PairManifest.PathFor(outDir, "train"), parts.Train);
            PairManifest.Write(PairManifest.PathFor(outDir, "val"), parts.Val);
            WriteJson(Path.Combine(outDir, SummaryFile), summary.ToJson());
            string leakagePath = Path.Combine(outDir, LeakageFile);
            if (leakage is not null)
            {
                var doc = leakage.ToJson();
                if (excluded is not null) doc["excluded"] = excluded.ToJson();
                WriteJson(leakagePath, doc);
            }
            else if (File.Exists(leakagePath)) File.Delete(leakagePath); // a stale report would claim a clean manifest
            AtomicFile.WriteAllText(Path.Combine(outDir, ProblemsFile), string.Concat(problems.Select(p => p + "\n")));
        }
        return new ManifestBuildResult(parts.Train, parts.Val, summary, leakage, reads, problems, excluded);
    }

    /// <summary>Each pair's item name and source id, as <see cref="SourceItems"/> defines them.</summary>
    private static Func<AudioTextPair, (string, string?, SourceIdKind)> SourceIdentifier(ManifestBuildOptions options)
    {
        var clotho = options.ClothoDir is { } c ? SourceItems.ClothoSoundIds(c) : new Dictionary<string, string>();
        var audiocaps = options.AudioCapsDir is { } a ? SourceItems.AudioCapsYoutubeIds(a) : new Dictionary<string, string>();
        return p =>
        {
            string file = Path.GetFileName(p.AudioPath);
            return p.Dataset switch
            {
                ClothoReader.Name => (file, clotho.GetValueOrDefault(file), SourceIdKind.Freesound),
                Fsd50kReader.Name => (p.Id, p.Id, SourceIdKind.Freesound),
                AudioCapsReader.Name when audiocaps.GetValueOrDefault(p.Id) is { } yt => (yt, yt, SourceIdKind.YouTube),
                _ => (file, null, SourceIdKind.None),
            };
        };
    }

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal static void WriteJson(string path, System.Text.Json.Nodes.JsonNode node) =>
        AtomicFile.WriteAllText(path, node.ToJsonString(Indented) + "\n");
}
