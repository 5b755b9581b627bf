#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ClapAudit.Analysis;

namespace ClapAudit.Report;

/// <summary>
/// report.json, version 2 (docs/formats.md, docs/schema/report.schema.json). Each measured setup's
/// <see cref="SetupEntry.Audit"/> is the same <see cref="BundleAudit"/> record as analyze's <c>bundles[i]</c>.
/// Serialised only by <see cref="ResultJson"/>. Paths are relative to report.json's folder.
/// </summary>
public sealed record ReportDocument(
    int Version,
    string Title,
    DateTimeOffset Created,
    string Html,
    string? FiguresDir,
    int? NClasses,
    double? RandomGuess,
    AuditSettings Settings,
    IReadOnlyList<SetupEntry> Setups,
    IReadOnlyList<BackboneEntry> Backbones,
    IReadOnlyDictionary<string, CorrelationEntry> Correlations,
    IReadOnlyList<string> CorrelationsSkipped,
    JsonNode? Leakage,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyList<string> Notes,
    IReadOnlyList<OrderingCheck> Orderings);

/// <summary>How a setup's or backbone's bundle came out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BundleStatus>))]
public enum BundleStatus
{
    /// <summary>Loaded and audited.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>No bundle folder yet (setup not finished).</summary>
    [JsonStringEnumMemberName("missing")] Missing,
    /// <summary>The folder exists but does not load; the reason says why.</summary>
    [JsonStringEnumMemberName("unreadable")] Unreadable,
}

public static class BundleStatuses
{
    public static string Name(this BundleStatus s) => s switch
    {
        BundleStatus.Ok => "ok",
        BundleStatus.Missing => "missing",
        _ => "unreadable",
    };
}

/// <summary>One setup of report.json: who it is, how its bundle came out, and its audit (null unless ok).</summary>
/// <param name="Run">The run's run.json as it is.</param>
/// <param name="ZeroshotCommand">top1, top5 and n_items of the setup's <c>zeroshot --json</c> output.</param>
public sealed record SetupEntry(string Training, string Pretraining, string Label, string Bundle, BundleStatus Status, string? Reason,
    BundleAudit? Audit, JsonNode? Run, JsonNode? ZeroshotCommand);

/// <summary>One backbone bundle of Figure 4: the silhouette of x_a (audio backbones) and the map.</summary>
public sealed record BackboneEntry(string Caption, Representation Representation, string Bundle, BundleStatus Status, string? Reason,
    double? Silhouette, TsneMapFile? Figure);
