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
    /// <summary>Neighbours of the k-NN probe (--probe-k).</summary>
    public int ProbeK { get; init; } = KnnProbe.DefaultK;
    /// <summary>Bootstrap resamples of the intervals (--bootstrap); 0 leaves the intervals out.</summary>
    public int Bootstrap { get; init; } = Analysis.Bootstrap.DefaultResamples;
    /// <summary>Seed of the bootstrap and of the probe's stratified folds (when the bundle has no folds.npy).</summary>
    public int Seed { get; init; }
    /// <summary>Run the k-NN and linear probes (false: --no-probe, they are the slow part on large bundles).</summary>
    public bool Probes { get; init; } = true;
    /// <summary>Run the linear probe (false: --no-linear-probe keeps the k-NN probe, which shares the neighbour pass).</summary>
    public bool LinearProbe { get; init; } = true;

    public AuditOptions Validated()
    {
        Guard.Setting(KMin >= 1, $"k-min must be >= 1, got {KMin}");
        Guard.Setting(KMax >= KMin, $"k-max must be >= k-min ({KMin}), got {KMax}");
        Guard.Setting(BlockSize >= 1, $"block size must be >= 1, got {BlockSize}");
        Guard.Setting(ProbeK >= 1, $"--probe-k must be >= 1, got {ProbeK}");
        Guard.Setting(Bootstrap >= 0, $"--bootstrap must be >= 0, got {Bootstrap}");
        return this;
    }
}
