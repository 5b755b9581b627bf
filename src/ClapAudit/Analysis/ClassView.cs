#pragma warning disable CS1573 // records document only the parameters that need a word
using ClapAudit.Evaluation;

namespace ClapAudit.Analysis;

/// <summary>One class's view: how its items fare in zero-shot and how they sit among the others.</summary>
/// <param name="Index">The class index (line of classes.txt, from 0).</param>
/// <param name="N">Its items.</param>
/// <param name="Top1">Zero-shot top-1 of its items; null in a backbone-only bundle.</param>
/// <param name="SilhouetteAudio">Mean silhouette sample (scikit-learn's silhouette_samples) of its items in E_a.</param>
/// <param name="ConfusedWith">The class most often predicted instead (lowest index on ties); null when never confused.</param>
/// <param name="TextNeighbour">The nearest other class in E_t by the audit's metric (lowest index on ties).</param>
public sealed record ClassResult(int Index, string Class, int N, double? Top1, double? SilhouetteAudio, string? ConfusedWith, string? TextNeighbour);

/// <summary>Zero-shot top-1 of each fold of folds.npy, with their mean and (population) standard deviation.</summary>
public sealed record FoldResults(IReadOnlyList<FoldAccuracy> Folds, double Mean, double Std);

public sealed record FoldAccuracy(int Fold, int N, double Top1);

/// <summary>
/// The per-class and per-fold views of an audit, from predictions and silhouette samples already computed. O(n + C² d).
/// </summary>
public static class ClassView
{
    public static IReadOnlyList<ClassResult> PerClass(EmbeddingBundle bundle, int[]? predictions, double[]? silhouetteSamples, DistanceMetric metric)
    {
        int c = bundle.ClassCount;
        var counts = new int[c];
        var hits = new int[c];
        var silhouette = new double[c];
        var confusions = new int[c, c];
        for (int i = 0; i < bundle.ItemCount; i++)
        {
            int l = bundle.Labels[i];
            counts[l]++;
            if (silhouetteSamples is not null) silhouette[l] += silhouetteSamples[i];
            if (predictions is null) continue;
            if (predictions[i] == l) hits[l]++;
            else confusions[l, predictions[i]]++;
        }
        double[]? textDistances = null;
        if (bundle.Text is not null)
        {
            textDistances = new double[c * c];
            new PairwiseDistances(bundle.Text, metric).Block(0, c, textDistances);
        }
        var result = new List<ClassResult>();
        for (int k = 0; k < c; k++)
        {
            if (counts[k] == 0) continue;
            int confused = -1;
            for (int j = 0; j < c; j++)
                if (confusions[k, j] > 0 && (confused < 0 || confusions[k, j] > confusions[k, confused])) confused = j;
            int neighbour = -1;
            if (textDistances is not null)
                for (int j = 0; j < c; j++)
                    if (j != k && (neighbour < 0 || textDistances[k * c + j] < textDistances[k * c + neighbour])) neighbour = j;
            result.Add(new ClassResult(k, bundle.ClassNames[k], counts[k],
                predictions is null ? null : (double)hits[k] / counts[k],
                silhouetteSamples is null ? null : silhouette[k] / counts[k],
                confused < 0 ? null : bundle.ClassNames[confused],
                neighbour < 0 ? null : bundle.ClassNames[neighbour]));
        }
        return result;
    }

    public static FoldResults PerFold(int[] labels, int[] predictions, int[] folds)
    {
        var list = folds.Distinct().Order().Select(f =>
        {
            var items = Enumerable.Range(0, labels.Length).Where(i => folds[i] == f).ToArray();
            return new FoldAccuracy(f, items.Length, (double)items.Count(i => predictions[i] == labels[i]) / items.Length);
        }).ToList();
        double mean = list.Average(f => f.Top1);
        double std = Math.Sqrt(list.Average(f => (f.Top1 - mean) * (f.Top1 - mean)));
        return new FoldResults(list, mean, std);
    }

    /// <summary>per_class.csv: one row per class in index order (RFC 4180 quoting), numbers invariant, empty when null.</summary>
    public static string Csv(IReadOnlyList<ClassResult> rows)
    {
        static string Q(string? s) => s is null ? "" : s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        static string N(double? v) => v is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "";
        var sb = new System.Text.StringBuilder("index,class,n,top1,silhouette_audio,confused_with,text_neighbour\n");
        foreach (var r in rows)
            sb.Append(r.Index).Append(',').Append(Q(r.Class)).Append(',').Append(r.N).Append(',').Append(N(r.Top1)).Append(',')
              .Append(N(r.SilhouetteAudio)).Append(',').Append(Q(r.ConfusedWith)).Append(',').Append(Q(r.TextNeighbour)).Append('\n');
        return sb.ToString();
    }
}
