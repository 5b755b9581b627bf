using ClapAudit.Common;

namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// Settings of <see cref="Tsne.Fit"/>, with scikit-learn 1.2 <c>TSNE</c>'s defaults (PCA init,
/// learning rate "auto", early exaggeration 12 for 250 iterations) except <see cref="Metric"/>,
/// which defaults to cosine as the paper's audit does.
/// </summary>
public sealed record TsneOptions
{
    /// <summary>Dimension of the map (Barnes-Hut supports 1 to 3, exact any).</summary>
    public int Components { get; init; } = 2;

    /// <summary>Effective number of neighbours of each point's Gaussian; must be below the number of points.</summary>
    public double Perplexity { get; init; } = 30;

    /// <summary>Factor on P during the first 250 iterations (momentum 0.5).</summary>
    public double EarlyExaggeration { get; init; } = 12;

    /// <summary>Step size; null is scikit-learn's "auto": max(N / EarlyExaggeration / 4, 50).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Total number of gradient steps, including the 250 exaggerated ones (at least 250, as scikit-learn).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Input distance: "cosine" (1 - cosine similarity) or "euclidean". Both are squared before the perplexity search, as scikit-learn 1.2 does.</summary>
    public string Metric { get; init; } = "cosine";

    /// <summary>Seed of the randomised PCA initialisation; equal seeds give equal maps.</summary>
    public int Seed { get; init; }

    /// <summary>Barnes-Hut opening angle theta: a cell is summarised when width / distance &lt; Angle.</summary>
    public double Angle { get; init; } = 0.5;

    /// <summary>
    /// "barnes_hut" (kNN P with k = min(n - 1, 3 * perplexity + 1) and a 2^d-tree for the repulsion),
    /// "exact" (P over all pairs, exact O(n^2) repulsion per iteration), or "auto":
    /// exact below <see cref="AutoExactBelow"/> points or above 3 components, "fft" (FFT-accelerated interpolation,
    /// 2-D only) from <see cref="AutoFftFrom"/> points in 2-D, Barnes-Hut otherwise.
    /// </summary>
    public string Method { get; init; } = "auto";

    /// <summary>Point count under which "auto" runs the exact method (cheap there, and P covers all pairs).</summary>
    public const int AutoExactBelow = 300;

    /// <summary>
    /// Point count from which "auto" runs the FFT-interpolated gradient in 2-D: openTSNE's choice (its "auto" takes
    /// Barnes-Hut below 10,000 points). Per iteration the FFT costs about a constant (nine 2-D FFTs of a grid of
    /// (6 x map width)² nodes, 10-40 ms here) where Barnes-Hut grows as n log n, so it wins only for large n;
    /// the crossover on this machine is not yet measured (docs/benchmarks.md).
    /// </summary>
    public const int AutoFftFrom = 10_000;

    /// <summary>Checks every value against <paramref name="n"/> points; throws <see cref="ErrorKind.InvalidSetting"/>.</summary>
    public void Validate(int n)
    {
        Guard.Setting(Components >= 1, $"t-SNE components must be at least 1, got {Components}");
        Guard.Setting(double.IsFinite(Perplexity) && Perplexity > 0, $"t-SNE perplexity must be positive, got {Perplexity}");
        Guard.Setting(Perplexity < n, $"t-SNE perplexity ({Perplexity}) must be less than the number of points ({n})");
        Guard.Setting(double.IsFinite(EarlyExaggeration) && EarlyExaggeration >= 1,
            $"t-SNE early exaggeration must be at least 1, got {EarlyExaggeration}");
        if (LearningRate is double lr)
            Guard.Setting(double.IsFinite(lr) && lr > 0, $"t-SNE learning rate must be positive (or null for auto), got {lr}");
        Guard.Setting(Iterations >= Tsne.ExplorationIterations,
            $"t-SNE iterations must be at least {Tsne.ExplorationIterations} (the early-exaggeration phase), got {Iterations}");
        Guard.Setting(Metric is "cosine" or "euclidean", $"t-SNE metric must be \"cosine\" or \"euclidean\", got \"{Metric}\"");
        Guard.Setting(Angle >= 0 && Angle <= 1, $"t-SNE angle must be in [0, 1], got {Angle}");
        Guard.Setting(Method is "auto" or "exact" or "barnes_hut" or "fft",
            $"t-SNE method must be \"auto\", \"exact\", \"barnes_hut\" or \"fft\", got \"{Method}\"");
        Guard.Setting(Method != "fft" || Components == 2, $"t-SNE method fft supports 2 components only, got {Components}");
        Guard.Setting(Method != "barnes_hut" || Components <= 3,
            $"t-SNE method barnes_hut supports at most 3 components, got {Components}");
        Guard.Setting(n >= 2, $"t-SNE needs at least 2 points, got {n}");
    }

    /// <summary>The method actually run for <paramref name="n"/> points ("auto" resolved).</summary>
    public string ResolvedMethod(int n) => Method switch
    {
        "auto" => n < AutoExactBelow || Components > 3 ? "exact" : Components == 2 && n >= AutoFftFrom ? "fft" : "barnes_hut",
        _ => Method,
    };

    /// <summary>The learning rate actually used for <paramref name="n"/> points ("auto" resolved).</summary>
    public double ResolvedLearningRate(int n) => LearningRate ?? Math.Max(n / EarlyExaggeration / 4, 50);
}
