using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

/// <summary>
/// Hugging Face's BertModel (embeddings, encoder, pooler), keys as its state dict without "bert.".
/// forward(ids, mask) returns last_hidden_state (B, L, hidden); padded keys get an additive
/// (1 - mask) * float.MinValue, as HF does. x_t (<see cref="EmbedText"/>) is last_hidden_state[:, 0],
/// the [CLS] token, as msclap takes it.
/// </summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor>, ITextBackbone
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;

    public BertModel(BertConfig? config = null) : base(nameof(BertModel))
    {
        Config = (config ?? new BertConfig()).Validated();
        embeddings = new BertEmbeddings(Config);
        encoder = new BertEncoder(Config);
        pooler = Config.AddPoolingLayer ? new BertPooler(Config) : null;
        RegisterComponents();
    }

    public BertConfig Config { get; }
    public int EmbeddingSize => Config.HiddenSize;
    public nn.Module AsModule => this;

    /// <summary>last_hidden_state for ids and attention mask (B, L) int64; token types are all 0.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => Forward(inputIds, attentionMask, null);

    public Tensor Forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds)
    {
        Guard.Match(inputIds.dim() == 2 && attentionMask.dim() == 2 && inputIds.shape.SequenceEqual(attentionMask.shape),
            $"BERT expects ids and attention mask of one shape (batch, length), got ({string.Join(", ", inputIds.shape)}) and ({string.Join(", ", attentionMask.shape)})");
        Guard.Match(inputIds.shape[1] <= Config.MaxPositionEmbeddings,
            $"BERT input length {inputIds.shape[1]} exceeds max_position_embeddings {Config.MaxPositionEmbeddings}");
        using var scope = NewDisposeScope();
        var types = tokenTypeIds ?? zeros_like(inputIds);
        var h = embeddings.call(inputIds, types);
        var additive = attentionMask.to(h.dtype).negative().Plus(1.0).Times(float.MinValue).unsqueeze(1).unsqueeze(2); // (1 - mask) * min
        return encoder.call(h, additive).MoveToOuterDisposeScope();
    }

    /// <summary>x_t: last_hidden_state[:, 0] (B, hidden).</summary>
    public Tensor EmbedText(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return forward(inputIds, attentionMask).select(1, 0).MoveToOuterDisposeScope();
    }

    /// <summary>HF's pooler_output, tanh(dense(h[:, 0])); throws when the model was built without a pooler.</summary>
    public Tensor Pool(Tensor lastHiddenState) =>
        pooler is null ? throw new ClapAuditException(ErrorKind.Mismatch, "this BERT has no pooler") : pooler.call(lastHiddenState);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            embeddings.Dispose();
            encoder.Dispose();
            pooler?.Dispose();
        }
        base.Dispose(disposing);
    }
}
