namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// A t-SNE map: <paramref name="Embedding"/> is n x Components, row-major; <paramref name="KlDivergence"/>
/// is KL(P || Q) of the final map (P sparse for Barnes-Hut, Q normalised over all pairs, no exaggeration);
/// <paramref name="Iterations"/> is the number of gradient steps run (scikit-learn's <c>n_iter_</c> + 1).
/// </summary>
public sealed record TsneResult(double[] Embedding, double KlDivergence, int Iterations);
