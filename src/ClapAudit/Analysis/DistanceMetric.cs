using ClapAudit.Common;

namespace ClapAudit.Analysis;

/// <summary>How distances between embeddings are measured (scikit-learn's names and definitions).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DistanceMetric>))]
public enum DistanceMetric
{
    /// <summary>1 - cos(x, y), clipped to [0, 2]; the paper's choice.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("cosine")] Cosine,
    /// <summary>||x - y||_2.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("euclidean")] Euclidean,
}

public static class DistanceMetrics
{
    public static DistanceMetric Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cosine" => DistanceMetric.Cosine,
        "euclidean" => DistanceMetric.Euclidean,
        _ => throw new ClapAuditException(ErrorKind.InvalidSetting, $"metric '{text}' is not supported (expected cosine or euclidean)"),
    };

    public static string Name(this DistanceMetric metric) => metric == DistanceMetric.Cosine ? "cosine" : "euclidean";
}
