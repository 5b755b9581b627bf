using ClapAudit.Analysis;
using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>Zero-shot accuracy of audio embeddings against one text embedding per class.</summary>
/// <remarks>Predictions: the top-1 class of each item.</remarks>
public sealed record ZeroShotResult(double Top1, double Top5, [property: System.Text.Json.Serialization.JsonIgnore] int[] Predictions);

/// <summary>
/// Zero-shot classification as CLAP does it: the class of item i is argmax_c cos(E_a[i], E_t[c])
/// (ties: the lowest c). An item counts for top-k when fewer than k classes rank above its label
/// (by score, then by index). Time O(n C d), memory O(block C).
/// </summary>
public static class ZeroShotScorer
{
    public static ZeroShotResult Score(EmbeddingMatrix audio, EmbeddingMatrix text, IReadOnlyList<int> labels,
        CancellationToken cancellationToken = default)
    {
        int n = audio.Rows, classes = text.Rows;
        Guard.Match(audio.Columns == text.Columns, $"zero-shot: audio embeddings have {audio.Columns} dimensions, text embeddings {text.Columns}");
        Guard.Match(labels.Count == n, $"zero-shot: {labels.Count} labels for {n} audio embeddings");
        Guard.Data(n > 0 && classes > 0, "zero-shot: needs at least one item and one class");
        for (int i = 0; i < n; i++)
            if (labels[i] < 0 || labels[i] >= classes)
                throw new ClapAuditException(ErrorKind.InvalidData, $"zero-shot: label {labels[i]} at item {i} is outside 0..{classes - 1}");

        double[] a = PairwiseDistances.UnitRows(audio), t = PairwiseDistances.UnitRows(text);
        int d = audio.Columns;
        const int block = 256;
        var predictions = new int[n];
        int blocks = (n + block - 1) / block;
        var hits1 = new int[blocks];
        var hits5 = new int[blocks];
        Parallel.For(0, blocks, new ParallelOptions { CancellationToken = cancellationToken }, b =>
        {
            int start = b * block, rows = Math.Min(block, n - start);
            var scores = new double[rows * classes];
            GramKernel.Dots(a.AsSpan(start * d, rows * d), rows, t, classes, d, scores);
            for (int r = 0; r < rows; r++)
            {
                var s = scores.AsSpan(r * classes, classes);
                int label = labels[start + r], best = 0, above = 0;
                for (int c = 0; c < classes; c++)
                {
                    if (s[c] > s[best]) best = c;
                    if (s[c] > s[label] || (s[c] == s[label] && c < label)) above++;
                }
                predictions[start + r] = best;
                if (best == label) hits1[b]++;
                if (above < 5) hits5[b]++;
            }
        });
        return new ZeroShotResult((double)hits1.Sum() / n, (double)hits5.Sum() / n, predictions);
    }
}
