using ClapAudit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Training;

/// <summary>
/// Hugging Face's BertLMPredictionHead (<c>cls.predictions.*</c>): transform (dense, GELU, LayerNorm),
/// then a decoder tied to the word embeddings plus an output bias, as BertForMaskedLM.
/// </summary>
public sealed class MaskedLmHead : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly MaskedLmTransform transform;
    private readonly Parameter bias;

    public MaskedLmHead(BertConfig c) : base("predictions")
    {
        transform = new MaskedLmTransform(c);
        bias = nn.Parameter(zeros(c.VocabSize));
        RegisterComponents();
    }

    /// <summary>Logits (N, vocab) for hidden states (N, hidden) with the tied decoder weight (vocab, hidden).</summary>
    public override Tensor forward(Tensor hidden, Tensor wordEmbeddings)
    {
        using var scope = NewDisposeScope();
        return nn.functional.linear(transform.call(hidden), wordEmbeddings, bias).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) transform.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>cls.predictions.transform: dense, GELU, LayerNorm.</summary>
public sealed class MaskedLmTransform : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;

    public MaskedLmTransform(BertConfig c) : base("transform")
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(nn.functional.gelu(dense.call(hidden))).MoveToOuterDisposeScope();
    }
}
