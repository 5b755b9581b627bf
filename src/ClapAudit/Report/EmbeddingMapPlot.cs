namespace ClapAudit.Report;

// STUB: the t-SNE helper's real file replaces this one at merge (same API).
public static class EmbeddingMapPlot
{
    public static void Save(string pathWithoutExtension, double[] xy, int[] labels, IReadOnlyList<string> classNames, string title) =>
        throw new NotImplementedException("the embedding map plot is built in a parallel branch");
}
