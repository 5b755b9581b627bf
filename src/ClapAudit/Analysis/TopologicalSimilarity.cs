using System.Text.Json.Serialization;
using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>How one neighbourhood comparison came out (section 3.2 of the paper).</summary>
/// <remarks>S: max of S_k over k in [KMin, KMax] (the paper's S = max_k S_k restricted, since S_{m} = 1 trivially).</remarks>
/// <remarks>K: the k that gives S (the smallest on ties).</remarks>
/// <remarks>Curve: S_k for k = 1..m-1 (Curve[k-1]).</remarks>
/// <remarks>Chance: the expected S_k of unrelated clouds, (1 + (k-1)²/(m-1)) / k.</remarks>
/// <remarks>SAdjusted: max over the same k range of (S_k - chance_k) / (1 - chance_k): 0 at chance, 1 for identical neighbourhoods.</remarks>
/// <remarks>KAdjusted: the k of SAdjusted.</remarks>
/// <remarks>Points: m, the number of points compared.</remarks>
/// <remarks>JSON (one spelling, docs/schema): s, k, chance (at k), s_adjusted, k_adjusted, curve, chance_curve, m, k_min, k_max.</remarks>
public sealed record TopologyResult(
    double S,
    int K,
    [property: JsonPropertyOrder(3)] double[] Curve,
    [property: JsonPropertyName("chance_curve"), JsonPropertyOrder(4)] double[] Chance,
    [property: JsonPropertyOrder(1)] double SAdjusted,
    [property: JsonPropertyOrder(2)] int KAdjusted,
    [property: JsonPropertyName("m"), JsonPropertyOrder(5)] int Points,
    [property: JsonPropertyOrder(5)] int KMin,
    [property: JsonPropertyOrder(5)] int KMax)
{
    /// <summary>The chance level at <see cref="K"/>.</summary>
    [JsonPropertyName("chance")] public double ChanceAtK => Chance[K - 1];
}

/// <summary>
/// Topological similarity of two point clouds whose rows correspond (row i of P and of Q are the same entity).
/// N_k(p_i) is the set of the k nearest points to p_i in P, p_i itself always first, then by distance with
/// ties broken by the lower index; S_k = mean_i |N_k(p_i) ∩ N_k(q_i)| / k.
/// Time O(m² (d + log m)), memory O(m²) — m is a number of classes, not of items.
/// </summary>
public static class TopologicalSimilarity
{
    public const int DefaultKMin = 2;
    public const int DefaultKMax = 10;

    public static TopologyResult Compare(EmbeddingMatrix p, EmbeddingMatrix q, DistanceMetric metric = DistanceMetric.Cosine,
        int kMin = DefaultKMin, int kMax = DefaultKMax)
    {
        int m = p.Rows;
        Guard.Match(q.Rows == m, $"topology: the clouds have {p.Rows} and {q.Rows} points; rows must correspond");
        Guard.Data(m >= 3, $"topology: needs at least 3 points, got {m}");
        Guard.Setting(kMin >= 1 && kMin <= kMax, $"topology: k-min must be >= 1 and <= k-max, got k-min {kMin}, k-max {kMax}");
        int hi = Math.Min(kMax, m - 1);
        Guard.Setting(kMin <= hi, $"topology: k-min {kMin} exceeds m - 1 = {m - 1} ({m} points compared)");

        double[] curve = Curve(p, q, metric);
        var chance = new double[m - 1];
        for (int k = 1; k <= m - 1; k++) chance[k - 1] = Chance(k, m);

        int bestK = kMin, adjK = kMin;
        double best = double.NegativeInfinity, adj = double.NegativeInfinity;
        for (int k = kMin; k <= hi; k++)
        {
            if (curve[k - 1] > best) { best = curve[k - 1]; bestK = k; }
            double a = (curve[k - 1] - chance[k - 1]) / (1 - chance[k - 1]);
            if (a > adj) { adj = a; adjK = k; }
        }
        return new TopologyResult(best, bestK, curve, chance, adj, adjK, m, kMin, hi);
    }

    /// <summary>Expected S_k when the neighbours in Q are a random choice: the point itself plus (k-1)²/(m-1) others.</summary>
    public static double Chance(int k, int m) => (1.0 + (k - 1.0) * (k - 1.0) / (m - 1.0)) / k;

    /// <summary>S_k for k = 1..m-1.</summary>
    public static double[] Curve(EmbeddingMatrix p, EmbeddingMatrix q, DistanceMetric metric = DistanceMetric.Cosine)
    {
        int m = p.Rows;
        Guard.Match(q.Rows == m, $"topology: the clouds have {p.Rows} and {q.Rows} points; rows must correspond");
        int[][] orderP = NeighbourOrders(p, metric), orderQ = NeighbourOrders(q, metric);
        var totals = new double[Math.Max(m - 1, 0)];
        var rankP = new int[m];
        var rankQ = new int[m];
        for (int i = 0; i < m; i++)
        {
            for (int r = 0; r < m; r++) { rankP[orderP[i][r]] = r; rankQ[orderQ[i][r]] = r; }
            // The intersection grows at step k by the points whose larger rank is k - 1.
            int overlap = 0;
            for (int k = 1; k <= m - 1; k++)
            {
                int a = orderP[i][k - 1], b = orderQ[i][k - 1];
                if (rankQ[a] <= k - 1) overlap++;
                if (rankP[b] < k - 1) overlap++;
                totals[k - 1] += (double)overlap / k;
            }
        }
        for (int k = 0; k < totals.Length; k++) totals[k] /= m;
        return totals;
    }

    /// <summary>For each point, all point indices nearest first: itself, then by (distance, index).</summary>
    internal static int[][] NeighbourOrders(EmbeddingMatrix x, DistanceMetric metric)
    {
        int m = x.Rows;
        var dist = new double[m * m];
        new PairwiseDistances(x, metric).Block(0, m, dist);
        var orders = new int[m][];
        for (int i = 0; i < m; i++)
        {
            var row = dist.AsSpan(i * m, m).ToArray();
            var order = Enumerable.Range(0, m).Where(j => j != i).ToArray();
            Array.Sort(order, (u, v) => row[u] != row[v] ? row[u].CompareTo(row[v]) : u.CompareTo(v));
            orders[i] = [i, .. order];
        }
        return orders;
    }
}
