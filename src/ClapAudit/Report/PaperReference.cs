namespace ClapAudit.Report;

/// <summary>
/// The paper's own figures (Tables 1-3 and section 3's correlations), shown beside the user's
/// results as a clearly labelled reference column. Keyed by (training, pre-training).
/// </summary>
public static class PaperReference
{
    public static readonly string[] TrainingData = ["dirty", "clean"];
    public static readonly string[] PreTrainingData = ["dirty", "clean", "none"];

    /// <summary>Table 1: ESC-50 zero-shot top-1 accuracy; random guess 0.02.</summary>
    public static readonly IReadOnlyDictionary<(string Training, string PreTraining), double> Accuracy = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.73,
        [("dirty", "clean")] = 0.61,
        [("dirty", "none")] = 0.31,
        [("clean", "dirty")] = 0.48,
        [("clean", "clean")] = 0.40,
        [("clean", "none")] = 0.14,
    };

    /// <summary>Table 2: silhouette (cosine) of x_a.</summary>
    public static readonly IReadOnlyDictionary<(string, string), double> SilhouetteAudioBackbone = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.35,
        [("dirty", "clean")] = 0.20,
        [("dirty", "none")] = 0.11,
        [("clean", "dirty")] = 0.27,
        [("clean", "clean")] = 0.16,
        [("clean", "none")] = 0.01,
    };

    /// <summary>Table 2: silhouette (cosine) of E_a.</summary>
    public static readonly IReadOnlyDictionary<(string, string), double> SilhouetteAudio = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.34,
        [("dirty", "clean")] = 0.20,
        [("dirty", "none")] = 0.08,
        [("clean", "dirty")] = 0.14,
        [("clean", "clean")] = 0.15,
        [("clean", "none")] = -0.05,
    };

    /// <summary>Table 3: topological similarity x_a vs E_a.</summary>
    public static readonly IReadOnlyDictionary<(string, string), double> TopologyAudioBackboneVsAudio = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.74,
        [("dirty", "clean")] = 0.75,
        [("dirty", "none")] = 0.77,
        [("clean", "dirty")] = 0.82,
        [("clean", "clean")] = 0.78,
        [("clean", "none")] = 0.75,
    };

    /// <summary>Table 3: topological similarity x_t vs E_t.</summary>
    public static readonly IReadOnlyDictionary<(string, string), double> TopologyTextBackboneVsText = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.75,
        [("dirty", "clean")] = 0.72,
        [("dirty", "none")] = 0.69,
        [("clean", "dirty")] = 0.62,
        [("clean", "clean")] = 0.75,
        [("clean", "none")] = 0.56,
    };

    /// <summary>Table 3: topological similarity E_a vs E_t.</summary>
    public static readonly IReadOnlyDictionary<(string, string), double> TopologyAudioVsText = new Dictionary<(string, string), double>
    {
        [("dirty", "dirty")] = 0.46,
        [("dirty", "clean")] = 0.47,
        [("dirty", "none")] = 0.44,
        [("clean", "dirty")] = 0.50,
        [("clean", "clean")] = 0.45,
        [("clean", "none")] = 0.38,
    };

    /// <summary>Section 3.1: accuracy vs silhouette of E_a, rho = 0.97, p &lt; 1e-2.</summary>
    public const double AccuracyVsSilhouetteRho = 0.97;
    /// <summary>Section 3.2: log accuracy vs S(E_a, E_t), rho = 0.85, p = 0.032.</summary>
    public const double LogAccuracyVsTopologyRho = 0.85;
    public const double LogAccuracyVsTopologyP = 0.032;
    public const double RandomGuess = 0.02;
}
