using ClapAudit.Common;
using ClapAudit.Data;

namespace ClapAudit.Evaluation;

/// <summary>
/// Zero-shot classification of ESC-50 with a CLAP model: E_a of every clip (offset 0, no random
/// crop, eval mode, no_grad) against E_t of one prompt per class (target order); scored by
/// <see cref="ZeroShotScorer"/>, the same code <c>analyze</c> uses on an exported bundle.
/// </summary>
public static class ZeroShotEvaluation
{
    public static ZeroShotReport Evaluate(LoadedClap model, ZeroShotTestSet data, string promptTemplate = Esc50Options.DefaultPromptTemplate,
        int batchSize = 32, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var (_, ea, _, et, labels) = EmbeddingExport.Compute(model, data, promptTemplate, batchSize, progress, ct);
        var result = ZeroShotScorer.Score(ea.ToMatrix(), et.ToMatrix(), labels, ct);
        return ZeroShotReport.From(result, labels, data.ClassNames);
    }
}
