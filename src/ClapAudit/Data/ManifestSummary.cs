using System.Text.Json.Nodes;

namespace ClapAudit.Data;

/// <summary>One dataset's line in <c>summary.json</c>.</summary>
/// <param name="Pairs">Pairs in the manifests (after missing audio and the leakage filter).</param>
/// <param name="Audio">Distinct audio files in the manifests.</param>
/// <param name="MissingAudio">Pairs left out because their audio file is missing.</param>
/// <param name="MissingAudioFiles">Distinct audio files missing.</param>
/// <param name="RemovedByFilter">Pairs and audio removed by the leakage filter (zero without it).</param>
/// <param name="Problems">Problems reported while reading (missing audio included).</param>
public sealed record DatasetSummary(int Pairs, int Audio, int MissingAudio, int MissingAudioFiles, PairAudioCount RemovedByFilter, int Problems);

/// <summary>The content of <c>summary.json</c>.</summary>
public sealed record ManifestSummary(
    int TrainPairs,
    int ValPairs,
    IReadOnlyDictionary<string, DatasetSummary> Datasets,
    int Seed,
    SplitBy SplitBy,
    double ValFraction,
    int StraddlingAudio,
    bool Clean,
    IReadOnlyList<DataProblem> Problems)
{
    /// <summary>How many problems <c>summary.json</c> lists in full (all are in problems.txt).</summary>
    public const int ListedProblems = 100;

    /// <summary>What <c>--exclude</c> removed (null: no exclusion list).</summary>
    public ExclusionReport? Excluded { get; init; }

    public JsonObject ToJson()
    {
        var datasets = new JsonObject();
        foreach (var (name, d) in Datasets)
            datasets[name] = new JsonObject
            {
                ["pairs"] = d.Pairs,
                ["audio"] = d.Audio,
                ["missing_audio"] = d.MissingAudio,
                ["missing_audio_files"] = d.MissingAudioFiles,
                ["removed_by_filter"] = d.RemovedByFilter.ToJson(),
                ["problems"] = d.Problems,
            };
        var doc = new JsonObject
        {
            ["pairs"] = new JsonObject { ["train"] = TrainPairs, ["val"] = ValPairs },
            ["datasets"] = datasets,
            ["seed"] = Seed,
            ["split_by"] = SplitBy.ToString().ToLowerInvariant(),
            ["val_fraction"] = ValFraction,
            ["straddling_audio"] = StraddlingAudio,
            ["clean"] = Clean,
            ["problems"] = Problems.Count,
            ["first_problems"] = new JsonArray(Problems.Take(ListedProblems).Select(p => (JsonNode?)JsonValue.Create(p.ToString())).ToArray()),
        };
        if (Excluded is not null) doc["excluded"] = Excluded.ToJson();
        return doc;
    }
}
