using ClapAudit.Common;

namespace ClapAudit.Analysis;

/// <summary>Settings of the embedding audit, with the paper's defaults (cosine distance) and ClapAudit's k range.</summary>
public sealed record AuditOptions
{
    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;
    /// <summary>Smallest k over which the topological similarity S = max_k S_k is taken.</summary>
    public int KMin { get; init; } = TopologicalSimilarity.DefaultKMin;
    /// <summary>Largest k (clipped to m - 1 per comparison).</summary>
    public int KMax { get; init; } = TopologicalSimilarity.DefaultKMax;
    /// <summary>Rows per block of the pairwise distance pass (memory O(n x block)).</summary>
    public int BlockSize { get; init; } = Silhouette.DefaultBlockSize;

    public AuditOptions Validated()
    {
        Guard.Setting(KMin >= 1, $"k-min must be >= 1, got {KMin}");
        Guard.Setting(KMax >= KMin, $"k-max must be >= k-min ({KMin}), got {KMax}");
        Guard.Setting(BlockSize >= 1, $"block size must be >= 1, got {BlockSize}");
        return this;
    }
}
