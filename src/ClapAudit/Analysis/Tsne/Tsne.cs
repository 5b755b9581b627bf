using ClapAudit.Common;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// t-distributed stochastic neighbour embedding as scikit-learn 1.2's <c>TSNE</c> runs it by default:
/// kNN input similarities (k = min(n - 1, 3 * perplexity + 1)) from squared metric distances with a
/// per-point perplexity search, PCA initialisation scaled to std 1e-4, learning rate "auto",
/// 250 iterations with early exaggeration and momentum 0.5, then momentum 0.8; per-parameter gains
/// (+0.2 / x0.8, at least 0.01); a convergence check every 50 iterations (stop after 300 iterations
/// without a lower KL, or when the gradient norm falls to 1e-7); Barnes-Hut repulsion with angle 0.5.
/// Cost: kNN O(n^2 d) time in row blocks (memory O(n k)); each iteration O(n log n) (Barnes-Hut) or
/// O(n^2) time with O(n) memory (exact; its P then holds all n (n - 1) pairs).
/// </summary>
public static class Tsne
{
    /// <summary>Iterations run with early exaggeration and momentum 0.5 (scikit-learn's <c>_EXPLORATION_N_ITER</c>).</summary>
    public const int ExplorationIterations = 250;

    private const int CheckEvery = 50;
    private const int IterationsWithoutProgress = 300;
    private const double MinGradNorm = 1e-7;
    private const double MinGain = 0.01;

    /// <summary>
    /// Embeds the n rows of <paramref name="data"/> (n x d, row-major) in <see cref="TsneOptions.Components"/>
    /// dimensions. Reports the 1-based iteration number to <paramref name="progress"/> after each step.
    /// </summary>
    /// <exception cref="ClapAuditException">Invalid settings or shapes, or non-finite input.</exception>
    public static TsneResult Fit(double[] data, int n, int d, TsneOptions options, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Guard.Setting(n >= 2 && d >= 1, $"t-SNE needs at least 2 points of dimension at least 1, got n = {n}, d = {d}");
        Guard.Match((long)n * d == data.Length, $"t-SNE input has {data.Length} values, expected n x d = {n} x {d} = {(long)n * d}");
        options.Validate(n);
        Guard.AllFinite(data, d, "t-SNE input");

        string method = options.ResolvedMethod(n);
        bool exact = method == "exact";
        int dims = options.Components;
        int k = exact ? n - 1 : Math.Min(n - 1, (int)(3.0 * options.Perplexity + 1));

        var (neighbors, distances) = NearestItems.WithDistances(new Evaluation.EmbeddingMatrix(data, n, d), k,
            DistanceMetrics.Parse(options.Metric), cancellationToken);
        // scikit-learn 1.2 squares the kNN distances of every metric before the perplexity search.
        for (int t = 0; t < distances.Length; t++) distances[t] *= distances[t];
        var p = JointProbabilities.Build(neighbors, distances, n, k, options.Perplexity);
        neighbors = null!; distances = null!;

        var y = PcaInitialization.Compute(data, n, d, dims, options.Seed);
        var gradient = new KlGradient(p, n, dims, method, options.Angle);
        double learningRate = options.ResolvedLearningRate(n);

        int last = Descend(gradient, y, 0, ExplorationIterations, momentum: 0.5, ExplorationIterations,
            options.EarlyExaggeration, learningRate, progress, cancellationToken);
        if (last < ExplorationIterations - 1 || options.Iterations > ExplorationIterations)
            last = Descend(gradient, y, last + 1, options.Iterations, momentum: 0.8, IterationsWithoutProgress,
                1.0, learningRate, progress, cancellationToken);

        double kl = gradient.ExactKl(y, cancellationToken);
        return new TsneResult(y, kl, last + 1);
    }

    /// <summary>
    /// <c>sklearn.manifold.trustworthiness</c>; the same as <see cref="Analysis.Tsne.Trustworthiness.Compute"/>
    /// (a class cannot hold a method of its own name, so the requested <c>Trustworthiness(...)</c> lives here too).
    /// </summary>
    public static double Trustworthiness(double[] high, double[] low, int n, int dHigh, int dLow, int neighbors = 5,
        string metric = "euclidean") =>
        Analysis.Tsne.Trustworthiness.Compute(high, low, n, dHigh, dLow, neighbors, metric);

    /// <summary>
    /// scikit-learn's <c>_gradient_descent</c>: momentum and gains start afresh at each call; returns the last
    /// iteration index run.
    /// </summary>
    private static int Descend(KlGradient gradient, double[] y, int start, int end, double momentum, int withoutProgress,
        double exaggeration, double learningRate, IProgress<int>? progress, CancellationToken ct)
    {
        var update = new double[y.Length];
        var gains = new double[y.Length];
        Array.Fill(gains, 1.0);
        var grad = new double[y.Length];
        double bestError = double.MaxValue;
        int bestIter = start, i = start;
        for (i = start; i < end; i++)
        {
            ct.ThrowIfCancellationRequested();
            bool check = (i + 1) % CheckEvery == 0;
            double error = gradient.Evaluate(y, grad, exaggeration, check || i == end - 1, ct);
            double sq = 0;
            for (int t = 0; t < y.Length; t++)
            {
                double g = grad[t];
                gains[t] = update[t] * g < 0 ? gains[t] + 0.2 : gains[t] * 0.8;
                if (gains[t] < MinGain) gains[t] = MinGain;
                g *= gains[t];
                sq += g * g;
                update[t] = momentum * update[t] - learningRate * g;
                y[t] += update[t];
            }
            progress?.Report(i + 1);
            if (!check) continue;
            if (error < bestError) { bestError = error; bestIter = i; }
            else if (i - bestIter > withoutProgress) break;
            if (Math.Sqrt(sq) <= MinGradNorm) break;
        }
        return Math.Min(i, end - 1);
    }
}
