using ClapAudit.Evaluation;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>
/// Collects the validation pairs' embeddings during one validation pass and scores retrieval on them
/// (<c>val_retrieval</c>): one audio row per distinct clip (its first pair's crop), one text row per
/// caption, so that a clip with five captions is retrieved as in Clotho's evaluation. The scores are
/// <see cref="RetrievalMetrics"/>' (the same as <c>analyze</c> on a retrieval bundle).
/// Memory: (clips + captions) x d doubles.
/// </summary>
internal sealed class ValidationRetrieval
{
    private readonly List<double[]> _audio = [];
    private readonly List<double[]> _text = [];
    private readonly List<int> _captionAudio = [];
    private readonly Dictionary<string, int> _clipRow = new(StringComparer.Ordinal);

    public int Captions => _text.Count;

    /// <summary>Adds one batch: E_a and E_t (B, d), row i of each from pair i of <paramref name="batch"/>.</summary>
    public void Add(Tensor audioEmbeddings, Tensor textEmbeddings, TrainingBatch batch)
    {
        var ea = Rows(audioEmbeddings);
        var et = Rows(textEmbeddings);
        for (int i = 0; i < et.Length; i++)
        {
            // Without audio keys every pair is its own clip (keys that cannot collide with a path).
            string key = batch.AudioKeys?[i] ?? "\0pair" + _text.Count;
            if (!_clipRow.TryGetValue(key, out int row))
            {
                row = _audio.Count;
                _clipRow[key] = row;
                _audio.Add(ea[i]);
            }
            _captionAudio.Add(row);
            _text.Add(et[i]);
        }
    }

    public RetrievalResult Score(CancellationToken cancellationToken) =>
        RetrievalMetrics.Compute(Matrix(_audio), Matrix(_text), _captionAudio, "validation pairs", cancellationToken);

    private static double[][] Rows(Tensor t)
    {
        using var cpu = t.detach().cpu().to_type(ScalarType.Float64);
        int rows = (int)cpu.shape[0], columns = (int)cpu.shape[1];
        var flat = cpu.data<double>().ToArray();
        var result = new double[rows][];
        for (int r = 0; r < rows; r++) result[r] = flat.AsSpan(r * columns, columns).ToArray();
        return result;
    }

    private static EmbeddingMatrix Matrix(List<double[]> rows)
    {
        int columns = rows.Count == 0 ? 0 : rows[0].Length;
        var values = new double[rows.Count * columns];
        for (int r = 0; r < rows.Count; r++) rows[r].CopyTo(values, r * columns);
        return new EmbeddingMatrix(values, rows.Count, columns);
    }
}
