using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>The leave-one-out k-NN accuracy of one representation.</summary>
public sealed record KnnProbeResult(double Top1, int K);

/// <summary>
/// Leave-one-out k-NN classification, as scikit-learn's <c>KNeighborsClassifier(n_neighbors=k, algorithm="brute")</c>
/// fitted on all other items: the k nearest other items by the audit's metric vote with equal weight, and a tie in the
/// vote goes to the lowest class index (scikit-learn's <c>mode</c>). A supervised ceiling of what the embedding's
/// neighbourhoods know about the labels. Time O(n² d) (see <see cref="NearestItems"/>), memory O(n d + n k).
/// </summary>
public static class KnnProbe
{
    public const int DefaultK = 5;

    public static KnnProbeResult Score(EmbeddingMatrix x, IReadOnlyList<int> labels, int k = DefaultK, DistanceMetric metric = DistanceMetric.Cosine,
        CancellationToken cancellationToken = default) =>
        new((double)Predict(x, labels, k, metric, cancellationToken).Where((p, i) => p == labels[i]).Count() / x.Rows, k);

    /// <summary>The leave-one-out prediction of every item.</summary>
    public static int[] Predict(EmbeddingMatrix x, IReadOnlyList<int> labels, int k = DefaultK, DistanceMetric metric = DistanceMetric.Cosine,
        CancellationToken cancellationToken = default)
    {
        int n = x.Rows;
        Guard.Match(labels.Count == n, $"k-NN probe: {labels.Count} labels for {n} rows");
        Guard.Setting(k >= 1 && k <= n - 1, $"k-NN probe: --probe-k must be between 1 and n - 1 = {n - 1}, got {k}");
        return FromNeighbours(NearestItems.Of(x, k, metric, cancellationToken), k, labels, k);
    }

    /// <summary>The predictions from neighbour lists of <paramref name="stored"/> per item (nearest first), using the first k.</summary>
    public static int[] FromNeighbours(int[] neighbours, int stored, IReadOnlyList<int> labels, int k)
    {
        int n = labels.Count;
        Common.Guard.Setting(k >= 1 && k <= stored && neighbours.Length == n * stored, $"k-NN probe: k {k} of {stored} stored neighbours");
        int classes = labels.Max() + 1;
        var predictions = new int[n];
        var votes = new int[classes];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(votes);
            for (int j = 0; j < k; j++) votes[labels[neighbours[i * stored + j]]]++;
            int best = 0;
            for (int c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
            predictions[i] = best;
        }
        return predictions;
    }
}
