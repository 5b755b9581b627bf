namespace ClapAudit.Evaluation;

/// <summary>A dense row-major matrix of embeddings: <see cref="Rows"/> vectors of <see cref="Columns"/> values.</summary>
public sealed class EmbeddingMatrix
{
    public double[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }

    public EmbeddingMatrix(double[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns < 0 || (long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values do not make a {rows} x {columns} matrix");
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public ReadOnlySpan<double> Row(int i) => Values.AsSpan(i * Columns, Columns);

    /// <summary>The rows at <paramref name="indices"/>, in that order (a copy).</summary>
    public EmbeddingMatrix SelectRows(IReadOnlyList<int> indices)
    {
        var result = new double[indices.Count * Columns];
        for (int r = 0; r < indices.Count; r++) Row(indices[r]).CopyTo(result.AsSpan(r * Columns, Columns));
        return new EmbeddingMatrix(result, indices.Count, Columns);
    }
}
