using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>A class's two words: its primary name (the zero-shot label) and its synonym.</summary>
public sealed record NamePair(string Name, string Synonym);

/// <summary>
/// How x_t ([CLS] final hidden state, eval mode) of the prompt "this is a sound of {word}" places
/// synonyms. SynonymCosine: mean cos(prompt(name_i), prompt(synonym_i)); UnrelatedCosine: mean cos of
/// prompt(name_i) with the prompts of every other class's name and synonym. The Centered* values are
/// the same after subtracting the mean prompt embedding (cosines of raw [CLS] vectors share a large
/// common component). SynonymTop1: share of names whose nearest synonym prompt (centered cosine) is
/// their own synonym (chance 1/classes).
/// </summary>
public sealed record SynonymProbeResult(
    int Classes, double SynonymCosine, double UnrelatedCosine,
    double CenteredSynonymCosine, double CenteredUnrelatedCosine, double SynonymTop1)
{
    public double Margin => SynonymCosine - UnrelatedCosine;
}

public static class SynonymProbe
{
    public const string Prompt = "this is a sound of {n}";

    /// <summary>Measures the probe (O(classes^2 x hidden)); the model is put in eval mode and left there.</summary>
    public static SynonymProbeResult Measure(BertModel model, BertTokenizer tokenizer, IReadOnlyList<NamePair> pairs, string prompt = Prompt)
    {
        Guard.Setting(pairs.Count >= 2, $"the synonym probe needs at least 2 classes, got {pairs.Count}");
        int n = pairs.Count;
        var texts = pairs.Select(p => prompt.Replace("{n}", p.Name)).Concat(pairs.Select(p => prompt.Replace("{n}", p.Synonym))).ToList();
        float[] e;
        int h = model.Config.HiddenSize;
        model.eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var (ids, mask) = tokenizer.EncodeBatch(texts, model.Config.MaxPositionEmbeddings).ToTensors();
            e = model.EmbedText(ids, mask).to(ScalarType.Float32).contiguous().data<float>().ToArray();
        }
        var raw = Rows(e, 2 * n, h);
        var mean = new double[h];
        foreach (var r in raw) for (int j = 0; j < h; j++) mean[j] += r[j] / (2 * n);
        var centered = raw.Select(r => r.Select((v, j) => v - mean[j]).ToArray()).ToArray();

        (double Syn, double Unrel) Means(double[][] x)
        {
            double syn = 0, unrel = 0;
            long count = 0;
            for (int i = 0; i < n; i++)
            {
                syn += Cos(x[i], x[n + i]);
                for (int k = 0; k < n; k++)
                {
                    if (k == i) continue;
                    unrel += Cos(x[i], x[k]) + Cos(x[i], x[n + k]);
                    count += 2;
                }
            }
            return (syn / n, unrel / count);
        }
        var (s, u) = Means(raw);
        var (cs, cu) = Means(centered);
        int top1 = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            double bestCos = double.NegativeInfinity;
            for (int k = 0; k < n; k++)
            {
                double c = Cos(centered[i], centered[n + k]);
                if (c > bestCos) { bestCos = c; best = k; }
            }
            if (best == i) top1++;
        }
        return new SynonymProbeResult(n, s, u, cs, cu, (double)top1 / n);
    }

    private static double[][] Rows(float[] e, int rows, int h) =>
        Enumerable.Range(0, rows).Select(r => e.AsSpan(r * h, h).ToArray().Select(v => (double)v).ToArray()).ToArray();

    private static double Cos(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int j = 0; j < a.Length; j++) { ab += a[j] * b[j]; aa += a[j] * a[j]; bb += b[j] * b[j]; }
        return ab / Math.Sqrt(Math.Max(aa * bb, 1e-300));
    }
}
