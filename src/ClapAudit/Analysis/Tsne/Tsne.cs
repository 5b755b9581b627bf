namespace ClapAudit.Analysis.Tsne;

// STUB: the t-SNE helper's real file replaces this one at merge (same API).
public static class Tsne
{
    public static TsneResult Fit(double[] data, int n, int d, TsneOptions options, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default) =>
        throw new NotImplementedException("t-SNE is built in a parallel branch");
}
