#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Text.Json.Nodes;

namespace ClapAudit.Data;

/// <summary>An AudioSet label the leakage filter treats as an ESC-50 class.</summary>
/// <param name="Words">Filter words found in the display name.</param>
/// <param name="MappedFrom">ESC-50 categories the mapping table ties to this label.</param>
/// <param name="Clips">Clips carrying this label (each removed).</param>
public sealed record AudioSetLabelRemoval(string Mid, string DisplayName, IReadOnlyList<string> Words, IReadOnlyList<string> MappedFrom, int Clips);

/// <summary>The clean AudioSet-style clip list for pre-training and what was removed.</summary>
/// <param name="MapProblems">Mapping-table names absent from the ontology read (reported, not fatal).</param>
public sealed record AudioSetFilterResult(
    IReadOnlyList<string> Words,
    WordMatch Match,
    int Before,
    IReadOnlyList<AudioSetClip> Kept,
    IReadOnlyList<AudioSetClip> Removed,
    IReadOnlyList<AudioSetLabelRemoval> RemovedLabels,
    IReadOnlyList<DataProblem> MapProblems)
{
    public JsonObject ToJson() => new()
    {
        ["words"] = new JsonArray(Words.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
        ["match"] = Match.ToString().ToLowerInvariant(),
        ["clips"] = new JsonObject { ["before"] = Before, ["removed"] = Removed.Count, ["after"] = Kept.Count },
        ["removed_labels"] = new JsonArray(RemovedLabels.Select(l => (JsonNode?)new JsonObject
        {
            ["mid"] = l.Mid,
            ["display_name"] = l.DisplayName,
            ["words"] = new JsonArray(l.Words.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["mapped_from"] = new JsonArray(l.MappedFrom.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["clips"] = l.Clips,
        }).ToArray()),
        ["map_problems"] = new JsonArray(MapProblems.Select(p => (JsonNode?)JsonValue.Create(p.ToString())).ToArray()),
    };
}
