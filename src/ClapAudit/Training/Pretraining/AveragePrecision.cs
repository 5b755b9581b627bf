namespace ClapAudit.Training.Pretraining;

/// <summary>
/// scikit-learn's average_precision_score: sum over distinct score thresholds (descending) of
/// (R_n - R_(n-1)) * P_n, tied scores forming one threshold. The macro mean skips classes with no
/// positive (sklearn would warn and give 0 or NaN there; PANNs' evaluation has positives everywhere).
/// </summary>
public static class AveragePrecision
{
    /// <summary>AP of one class; NaN when it has no positive.</summary>
    public static double Of(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        int n = scores.Length, totalPos = 0;
        for (int i = 0; i < n; i++) if (positive[i]) totalPos++;
        if (totalPos == 0) return double.NaN;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[b].CompareTo(s[a]));
        double ap = 0, prevRecall = 0;
        int tp = 0, seen = 0;
        for (int i = 0; i < n;)
        {
            float t = s[order[i]];
            while (i < n && s[order[i]] == t) { if (positive[order[i]]) tp++; seen++; i++; }
            double recall = (double)tp / totalPos, precision = (double)tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
        }
        return ap;
    }

    /// <summary>Mean AP over classes with at least one positive; scores and targets are (items x classes) row-major.</summary>
    public static double Mean(float[] scores, float[] targets, int items, int classes)
    {
        double sum = 0;
        int counted = 0;
        var col = new float[items];
        var pos = new bool[items];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < items; i++) { col[i] = scores[i * classes + c]; pos[i] = targets[i * classes + c] > 0.5f; }
            double ap = Of(col, pos);
            if (double.IsNaN(ap)) continue;
            sum += ap;
            counted++;
        }
        return counted == 0 ? double.NaN : sum / counted;
    }
}
