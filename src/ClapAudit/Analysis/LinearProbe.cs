#pragma warning disable CS1573 // records document only the parameters that need a word
using System.Numerics.Tensors;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using TorchSharp;

namespace ClapAudit.Analysis;

/// <summary>The cross-validated accuracy of a multinomial logistic regression on one representation.</summary>
/// <param name="Folds">How many folds the held-out predictions come from.</param>
/// <param name="Predictions">Each item's held-out prediction.</param>
public sealed record LinearProbeResult(double Top1, int Folds, [property: JsonIgnore] int[] Predictions);

/// <summary>
/// The linear probe: multinomial logistic regression with an L2 penalty, as scikit-learn's
/// <c>LogisticRegression(C=1, max_iter=1000)</c> (lbfgs, multinomial, intercept not penalised) on features z-scored
/// with each training fold's mean and standard deviation (<c>StandardScaler</c>; a constant feature is scaled by 1).
/// Minimises sum_i -log softmax(W x_i + b)_{y_i} + ||W||² / (2C) by L-BFGS (10 pairs, strong Wolfe line search) until the
/// largest gradient entry is below 1e-4 or the relative decrease below 2.2e-9 (SciPy's L-BFGS-B defaults); each fold
/// predicts among the classes present in its training part. Accuracy is pooled over all held-out predictions.
/// Time O(iterations · n d C) per fold, memory O(n d + d C).
/// </summary>
public static class LinearProbe
{
    public const double C = 1.0;
    public const int MaxIterations = 1000;
    public const int DefaultFolds = 5;
    private const double GradientTolerance = 1e-4, RelativeDecrease = 2.220446049250313e-9;
    private const int Memory = 10;

    /// <summary>
    /// The folds of the probe: the bundle's folds.npy when it has at least two distinct folds (the fold index of each item,
    /// in sorted fold order), else <see cref="DefaultFolds"/> folds stratified by class, each class's items shuffled by the
    /// seed (SplitMix64, Fisher-Yates) and dealt round-robin.
    /// </summary>
    public static int[] FoldsOf(IReadOnlyList<int> labels, int[]? bundleFolds, int seed)
    {
        if (bundleFolds is not null && bundleFolds.Distinct().Count() >= 2)
        {
            var order = bundleFolds.Distinct().Order().ToArray();
            return bundleFolds.Select(f => Array.IndexOf(order, f)).ToArray();
        }
        var rng = new SplitMix64(SplitMix64.Mix((ulong)seed ^ 0x11AE_A2F0_1D5EUL)); // stream "linear probe folds"
        var folds = new int[labels.Count];
        int next = 0;
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var items = group.ToArray();
            for (int i = items.Length - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (items[i], items[j]) = (items[j], items[i]);
            }
            foreach (int i in items) folds[i] = next++ % DefaultFolds;
        }
        return folds;
    }

    /// <param name="folds">The fold index of each item (0..F-1, e.g. from <see cref="FoldsOf"/>).</param>
    public static LinearProbeResult Score(EmbeddingMatrix x, IReadOnlyList<int> labels, int[] folds, CancellationToken cancellationToken = default)
    {
        int n = x.Rows;
        Guard.Match(labels.Count == n && folds.Length == n, $"linear probe: {labels.Count} labels and {folds.Length} folds for {n} rows");
        int foldCount = folds.Max() + 1;
        var predictions = new int[n];
        for (int f = 0; f < foldCount; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var train = Enumerable.Range(0, n).Where(i => folds[i] != f).ToArray();
            var test = Enumerable.Range(0, n).Where(i => folds[i] == f).ToArray();
            if (test.Length == 0) continue;
            Guard.Data(train.Length > 0, $"linear probe: fold {f} holds every item; nothing to train on");
            var predicted = FitPredict(x, labels, train, test, cancellationToken);
            for (int t = 0; t < test.Length; t++) predictions[test[t]] = predicted[t];
        }
        int hits = 0;
        for (int i = 0; i < n; i++) if (predictions[i] == labels[i]) hits++;
        return new LinearProbeResult((double)hits / n, foldCount, predictions);
    }

    private static int[] FitPredict(EmbeddingMatrix x, IReadOnlyList<int> labels, int[] train, int[] test, CancellationToken token)
    {
        int d = x.Columns;
        var (mean, scale) = Standardiser(x, train);
        var xs = Standardised(x, train, mean, scale);
        var classes = train.Select(i => labels[i]).Distinct().Order().ToArray();
        if (classes.Length == 1) return test.Select(_ => classes[0]).ToArray();
        var code = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var y = train.Select(i => code[labels[i]]).ToArray();
        using var objective = new Objective(xs, y, train.Length, d, classes.Length);
        var w = Minimise(objective, new double[classes.Length * (d + 1)], token);

        var xt = Standardised(x, test, mean, scale);
        var logits = new double[test.Length * classes.Length];
        objective.Logits(w, xt, test.Length, logits);
        var result = new int[test.Length];
        for (int t = 0; t < test.Length; t++)
            result[t] = classes[TensorPrimitives.IndexOfMax(logits.AsSpan(t * classes.Length, classes.Length))];
        return result;
    }

    private static (double[] Mean, double[] Scale) Standardiser(EmbeddingMatrix x, int[] rows)
    {
        int d = x.Columns;
        var mean = new double[d];
        foreach (int i in rows) TensorPrimitives.Add(mean, x.Row(i), mean);
        TensorPrimitives.Divide(mean, rows.Length, mean);
        var variance = new double[d];
        foreach (int i in rows)
        {
            var row = x.Row(i);
            for (int j = 0; j < d; j++) { double v = row[j] - mean[j]; variance[j] += v * v; }
        }
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            double s = Math.Sqrt(variance[j] / rows.Length);
            scale[j] = s < 10 * 2.220446049250313e-16 ? 1.0 : s; // sklearn's _handle_zeros_in_scale: a constant feature -> 1
        }
        return (mean, scale);
    }

    private static double[] Standardised(EmbeddingMatrix x, int[] rows, double[] mean, double[] scale)
    {
        int d = x.Columns;
        var result = new double[rows.Length * d];
        for (int r = 0; r < rows.Length; r++)
        {
            var dest = result.AsSpan(r * d, d);
            TensorPrimitives.Subtract(x.Row(rows[r]), mean, dest);
            TensorPrimitives.Divide(dest, scale, dest);
        }
        return result;
    }

    /// <summary>L-BFGS with a strong Wolfe line search; stops as SciPy's L-BFGS-B does by default (pgtol, factr).</summary>
    private static double[] Minimise(Objective f, double[] w, CancellationToken token)
    {
        int m = w.Length;
        var g = new double[m];
        double fx = f.Evaluate(w, g);
        var s = new List<double[]>();
        var yv = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[m];
        var wNew = new double[m];
        var gNew = new double[m];
        var gTrial = new double[m]; // the line search's scratch gradient, one for the whole minimisation
        var alpha = new double[Memory];
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            token.ThrowIfCancellationRequested();
            if (Math.Abs(TensorPrimitives.MaxMagnitude(g)) <= GradientTolerance) break; // MaxMagnitude keeps the sign
            // Two-loop recursion: direction = -H g.
            g.CopyTo(direction, 0);
            for (int k = s.Count - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * TensorPrimitives.Dot(s[k], direction);
                TensorPrimitives.MultiplyAdd(yv[k], -alpha[k], direction, direction);
            }
            double gamma = s.Count > 0 ? TensorPrimitives.Dot(s[^1], yv[^1]) / TensorPrimitives.Dot(yv[^1], yv[^1]) : 1.0 / Math.Max(1.0, TensorPrimitives.Norm(g));
            TensorPrimitives.Multiply(direction, gamma, direction);
            for (int k = 0; k < s.Count; k++)
            {
                double beta = rho[k] * TensorPrimitives.Dot(yv[k], direction);
                TensorPrimitives.MultiplyAdd(s[k], alpha[k] - beta, direction, direction);
            }
            TensorPrimitives.Negate(direction, direction);
            double slope = TensorPrimitives.Dot(g, direction);
            if (slope >= 0) { TensorPrimitives.Negate(g, direction); slope = TensorPrimitives.Dot(g, direction); s.Clear(); yv.Clear(); rho.Clear(); }

            var (accepted, fNew) = WolfeStep(f, w, fx, slope, direction, wNew, gNew, gTrial);
            if (!accepted) break;
            var sk = new double[m];
            var yk = new double[m];
            TensorPrimitives.Subtract(wNew, w, sk);
            TensorPrimitives.Subtract(gNew, g, yk);
            double sy = TensorPrimitives.Dot(sk, yk);
            if (sy > 1e-10)
            {
                if (s.Count == Memory) { s.RemoveAt(0); yv.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); yv.Add(yk); rho.Add(1.0 / sy);
            }
            double decrease = (fx - fNew) / Math.Max(Math.Max(Math.Abs(fx), Math.Abs(fNew)), 1.0);
            wNew.CopyTo(w, 0);
            gNew.CopyTo(g, 0);
            fx = fNew;
            if (decrease <= RelativeDecrease) break;
        }
        return w;
    }

    /// <summary>
    /// A step along <paramref name="direction"/> that meets the strong Wolfe conditions (sufficient decrease c1 = 1e-3 and
    /// curvature c2 = 0.9, the constants of SciPy's L-BFGS-B line search), by bracketing and zooming with safeguarded
    /// cubic interpolation (Nocedal and Wright, Algorithms 3.5 and 3.6). Armijo backtracking alone, used before, accepted
    /// steps whose curvature pairs taught L-BFGS less: 10-25% more iterations than scikit-learn on 2048-d features.
    /// On return <paramref name="wNew"/> and <paramref name="gNew"/> hold the accepted point and its gradient;
    /// <paramref name="gTrial"/> is scratch.
    /// </summary>
    private static (bool Accepted, double F) WolfeStep(Objective f, double[] w, double fx, double slope, double[] direction,
        double[] wNew, double[] gNew, double[] gTrial)
    {
        const double c1 = 1e-3, c2 = 0.9;
        const int maxEvaluations = 40;
        int evaluations = 0;
        // One evaluation at step a: its value and directional derivative; the point and gradient stay in wNew/gTrial.
        (double F, double D) At(double a)
        {
            evaluations++;
            TensorPrimitives.MultiplyAdd(direction, a, w, wNew);
            double value = f.Evaluate(wNew, gTrial);
            return (value, TensorPrimitives.Dot(gTrial, direction));
        }
        bool Decreases(double a, double value) => double.IsFinite(value) && value <= fx + c1 * a * slope;
        (bool, double) Accept(double a, double value)
        {
            // wNew already holds w + a d for the last evaluation; gTrial its gradient.
            gTrial.CopyTo(gNew, 0);
            return (true, value);
        }

        double aPrev = 0, fPrev = fx, dPrev = slope, a = 1.0;
        while (evaluations < maxEvaluations)
        {
            var (fa, da) = At(a);
            if (!Decreases(a, fa) || (evaluations > 1 && fa >= fPrev))
                return Zoom(aPrev, fPrev, dPrev, a, fa, da);
            if (Math.Abs(da) <= -c2 * slope) return Accept(a, fa);
            if (da >= 0) return Zoom(a, fa, da, aPrev, fPrev, dPrev);
            (aPrev, fPrev, dPrev) = (a, fa, da);
            a *= 2;
        }
        return (false, double.NaN);

        // lo: the best step so far that decreases enough; hi: the other end of an interval holding a Wolfe step.
        (bool, double) Zoom(double lo, double fLo, double dLo, double hi, double fHi, double dHi)
        {
            while (evaluations < maxEvaluations)
            {
                double aj = Interpolate(lo, fLo, dLo, hi, fHi, dHi);
                var (fj, dj) = At(aj);
                if (!Decreases(aj, fj) || fj >= fLo)
                    (hi, fHi, dHi) = (aj, fj, dj);
                else
                {
                    if (Math.Abs(dj) <= -c2 * slope) return Accept(aj, fj);
                    if (dj * (hi - lo) >= 0) (hi, fHi, dHi) = (lo, fLo, dLo);
                    (lo, fLo, dLo) = (aj, fj, dj);
                }
                if (Math.Abs(hi - lo) <= 1e-12 * Math.Max(1.0, Math.Abs(lo))) break;
            }
            // No Wolfe point within the budget: take the best decreasing step found, if any (it only lacks curvature).
            if (lo > 0)
            {
                At(lo);
                return Accept(lo, fLo);
            }
            return (false, double.NaN);
        }
    }

    /// <summary>The minimiser of the cubic through both ends' values and slopes, kept within the middle 80% of the
    /// interval (bisection where the cubic has no real minimiser or a bound's value is not finite).</summary>
    private static double Interpolate(double a, double fa, double da, double b, double fb, double db)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), width = hi - lo;
        double guess = double.NaN;
        if (double.IsFinite(fa) && double.IsFinite(fb) && double.IsFinite(da) && double.IsFinite(db))
        {
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - da * db;
            if (disc >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
                guess = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
            }
        }
        if (!double.IsFinite(guess) || guess < lo + 0.1 * width || guess > hi - 0.1 * width) guess = lo + 0.5 * width;
        return guess;
    }

    /// <summary>
    /// The penalised multinomial log-loss and its gradient; parameters are W (K x d) then b (K). The two products of
    /// each evaluation (X Wᵀ and Rᵀ X, O(n d K) each) run on libtorch's float64 GEMM (MKL), which is several times
    /// faster than a hand-written kernel at these shapes; the rest (softmax, loss) is O(n K) in C#.
    /// </summary>
    internal sealed class Objective : IDisposable
    {
        private readonly int[] _y;
        private readonly int _n, _d, _k;
        private readonly torch.Tensor _x;        // n x d
        private readonly torch.Tensor _weights;  // K x d, refilled per evaluation
        private readonly torch.Tensor _residual; // n x K
        private readonly double[] _logits;

        public Objective(double[] x, int[] y, int n, int d, int k)
        {
            _y = y; _n = n; _d = d; _k = k;
            _x = FromValues(x, n, d);
            _weights = torch.empty([k, d], torch.ScalarType.Float64);
            _residual = torch.empty([n, k], torch.ScalarType.Float64);
            _logits = new double[n * k];
        }

        private static torch.Tensor FromValues(ReadOnlySpan<double> values, int rows, int columns)
        {
            var t = torch.empty([rows, columns], torch.ScalarType.Float64);
            values.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(t.bytes));
            return t;
        }

        private static Span<double> Values(torch.Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(t.bytes);

        /// <summary>dest (count x K) = rows W^T + b.</summary>
        public void Logits(double[] w, double[] rows, int count, double[] dest)
        {
            using var x = FromValues(rows.AsSpan(0, count * _d), count, _d);
            Logits(w, x, count, dest);
        }

        private void Logits(double[] w, torch.Tensor x, int count, double[] dest)
        {
            using var noGrad = torch.no_grad();
            w.AsSpan(0, _k * _d).CopyTo(Values(_weights));
            using (var product = x.mm(_weights.t())) Values(product).CopyTo(dest.AsSpan(0, count * _k));
            var bias = w.AsSpan(_k * _d, _k);
            for (int i = 0; i < count; i++) TensorPrimitives.Add(dest.AsSpan(i * _k, _k), bias, dest.AsSpan(i * _k, _k));
        }

        public double Evaluate(double[] w, double[] grad)
        {
            int n = _n, d = _d, k = _k;
            Logits(w, _x, n, _logits);
            double loss = 0;
            var gb = grad.AsSpan(k * d, k);
            gb.Clear();
            var residual = Values(_residual);
            for (int i = 0; i < n; i++)
            {
                var z = _logits.AsSpan(i * k, k);
                double max = TensorPrimitives.Max(z);
                double sum = 0;
                for (int c = 0; c < k; c++) sum += Math.Exp(z[c] - max);
                double logSum = max + Math.Log(sum);
                loss += logSum - z[_y[i]];
                for (int c = 0; c < k; c++)
                {
                    double r = Math.Exp(z[c] - logSum) - (c == _y[i] ? 1 : 0);
                    residual[i * k + c] = r;
                    gb[c] += r;
                }
            }
            var weights = w.AsSpan(0, k * d);
            loss += TensorPrimitives.Dot(weights, weights) / (2 * C);
            // grad W = R^T X + W / C.
            using (var noGrad = torch.no_grad())
            using (var product = _residual.t().mm(_x))
                Values(product).CopyTo(grad.AsSpan(0, k * d));
            for (int j = 0; j < k * d; j++) grad[j] += w[j] / C;
            return loss;
        }

        public void Dispose()
        {
            _x.Dispose();
            _weights.Dispose();
            _residual.Dispose();
        }
    }
}
