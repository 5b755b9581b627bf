using System.Globalization;
using System.Text.Json.Nodes;

namespace ClapAudit.Report;

/// <summary>
/// The report's tables from the <c>data prepare</c> leakage report (leakage.json: words, before/removed/after
/// {pairs, audio}, by_word {word: {pairs, audio, captions}}, by_dataset {dataset: {before, removed, after}}).
/// Keys that are absent leave their cells as "-"; nothing is invented.
/// </summary>
public static class LeakageTables
{
    public static IReadOnlyList<ReportTable> From(JsonNode leakage, string source)
    {
        var tables = new List<ReportTable>();
        var words = leakage["words"] as JsonArray;
        var summary = new List<IReadOnlyList<string>>();
        if (words is not null)
            summary.Add(["class words", $"{words.Count}: {string.Join(", ", words.Select(w => w?.ToString() ?? ""))}"]);
        if (leakage["match"] is JsonNode match) summary.Add(["match", match.ToString()]);
        foreach (var stage in new[] { "before", "removed", "after" })
            if (leakage[stage] is JsonObject o)
                summary.Add([$"{stage}", $"{Num(o["pairs"])} caption pairs, {Num(o["audio"])} audio clips"]);
        tables.Add(new ReportTable($"Leakage filter: summary ({Path.GetFileName(source)})", ["", "value"], summary));

        if (leakage["by_word"] is JsonObject byWord && byWord.Count > 0)
        {
            var rows = byWord.Select(kv => (Word: kv.Key, Pairs: Long(kv.Value?["pairs"]), Audio: Long(kv.Value?["audio"]), Captions: kv.Value?["captions"]))
                .OrderByDescending(r => r.Pairs ?? -1).ThenBy(r => r.Word, StringComparer.Ordinal)
                .Select(r => (IReadOnlyList<string>)[r.Word, Num(r.Pairs), Num(r.Audio), Num(r.Captions)]).ToList();
            tables.Add(new ReportTable("Leakage filter: removed by class word", ["word", "pairs", "audio clips", "captions"], rows));
        }

        if (leakage["by_dataset"] is JsonObject byDataset && byDataset.Count > 0)
        {
            var rows = byDataset.Select(kv => (IReadOnlyList<string>)[kv.Key,
                Num(kv.Value?["before"]?["pairs"]), Num(kv.Value?["removed"]?["pairs"] ?? kv.Value?["pairs"]), Num(kv.Value?["after"]?["pairs"]),
                Num(kv.Value?["before"]?["audio"]), Num(kv.Value?["removed"]?["audio"] ?? kv.Value?["audio"]), Num(kv.Value?["after"]?["audio"])]).ToList();
            tables.Add(new ReportTable("Leakage filter: by dataset",
                ["dataset", "pairs before", "pairs removed", "pairs after", "audio before", "audio removed", "audio after"], rows));
        }
        return tables;
    }

    // Numbers are read from their JSON text: a parsed document and one built in memory (int-backed) both work.
    private static long? Long(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
        && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null;

    private static string Num(JsonNode? n) => n switch
    {
        null => "-",
        _ when Long(n) is long l => l.ToString("N0", CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
        _ => n.ToString(),
    };

    private static string Num(long? n) => n is long l ? l.ToString("N0", CultureInfo.InvariantCulture) : "-";
}
