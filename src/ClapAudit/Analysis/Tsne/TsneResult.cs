namespace ClapAudit.Analysis.Tsne;

// STUB: the t-SNE helper's real file replaces this one at merge (same API).
public sealed record TsneResult(double[] Embedding, double KlDivergence, int Iterations);
