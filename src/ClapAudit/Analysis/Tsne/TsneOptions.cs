namespace ClapAudit.Analysis.Tsne;

// STUB: the t-SNE helper's real file replaces this one at merge (same API).
public sealed record TsneOptions
{
    public int Components { get; init; } = 2;
    public double Perplexity { get; init; } = 30;
    public double EarlyExaggeration { get; init; } = 12;
    public double? LearningRate { get; init; } = null;
    public int Iterations { get; init; } = 1000;
    public string Metric { get; init; } = "cosine";
    public int Seed { get; init; } = 0;
    public double Angle { get; init; } = 0.5;
    public string Method { get; init; } = "auto";
}
