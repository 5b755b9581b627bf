using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Models;

// The submodules of Hugging Face's BertModel, named as its state dict (embeddings.*, encoder.layer.N.*, pooler.*).

/// <summary>Word + position + token-type embeddings, LayerNorm, dropout.</summary>
public sealed class BertEmbeddings : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly SeededDropout dropout;

    public BertEmbeddings(BertConfig c) : base("embeddings")
    {
        word_embeddings = nn.Embedding(c.VocabSize, c.HiddenSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.HiddenSize);
        token_type_embeddings = nn.Embedding(c.TypeVocabSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        dropout = new SeededDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>inputIds and tokenTypeIds (B, L) int64 to (B, L, hidden).</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        long length = inputIds.shape[1];
        var positions = SafeScalars.Arange(length, ScalarType.Int64, inputIds.device).unsqueeze(0);
        var e = word_embeddings.call(inputIds).Plus(token_type_embeddings.call(tokenTypeIds)).Plus(position_embeddings.call(positions));
        return dropout.call(LayerNorm.call(e)).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head scaled dot-product self-attention with an additive key mask.</summary>
public sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly SeededDropout dropout;
    private readonly int _heads;
    private readonly int _headSize;

    public BertSelfAttention(BertConfig c) : base("self")
    {
        _heads = c.NumAttentionHeads;
        _headSize = c.HiddenSize / c.NumAttentionHeads;
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        dropout = new SeededDropout(c.AttentionProbsDropoutProb);
        RegisterComponents();
    }

    /// <param name="hidden">(B, L, hidden)</param>
    /// <param name="additiveMask">(B, 1, 1, L): 0 on real keys, the float minimum on padding.</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long b = hidden.shape[0], l = hidden.shape[1];
        Tensor Heads(Tensor t) => t.view(b, l, _heads, _headSize).transpose(1, 2);
        var q = Heads(query.call(hidden));
        var k = Heads(key.call(hidden));
        var v = Heads(value.call(hidden));
        var scores = q.matmul(k.transpose(-1, -2)).DividedBy(Math.Sqrt(_headSize)).Plus(additiveMask);
        var probs = dropout.call(nn.functional.softmax(scores, -1));
        var context = probs.matmul(v).transpose(1, 2).contiguous().view(b, l, _heads * _headSize);
        return context.MoveToOuterDisposeScope();
    }
}

/// <summary>Dense + dropout + residual + LayerNorm (BertSelfOutput and BertOutput share this shape).</summary>
public sealed class BertResidualOutput : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly SeededDropout dropout;

    public BertResidualOutput(int inFeatures, BertConfig c) : base("output")
    {
        dense = nn.Linear(inFeatures, c.HiddenSize);
        LayerNorm = nn.LayerNorm([c.HiddenSize], c.LayerNormEps);
        dropout = new SeededDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(dropout.call(dense.call(hidden)).Plus(residual)).MoveToOuterDisposeScope();
    }
}

/// <summary>attention.self + attention.output.</summary>
public sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention @self;
    private readonly BertResidualOutput output;

    public BertAttention(BertConfig c) : base("attention")
    {
        @self = new BertSelfAttention(c);
        output = new BertResidualOutput(c.HiddenSize, c);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        return output.call(@self.call(hidden, additiveMask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>The feed-forward expansion: dense + activation.</summary>
public sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string _act;

    public BertIntermediate(BertConfig c) : base("intermediate")
    {
        dense = nn.Linear(c.HiddenSize, c.IntermediateSize);
        _act = c.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var h = dense.call(hidden);
        var y = _act switch
        {
            "relu" => nn.functional.relu(h),
            "gelu" => nn.functional.gelu(h),
            _ => GeluTanh(h),
        };
        return y.MoveToOuterDisposeScope();
    }

    private static Tensor GeluTanh(Tensor x) =>
        x.Times(0.5) * tanh(x.Plus(x.Power(3).Times(0.044715)).Times(Math.Sqrt(2.0 / Math.PI))).Plus(1.0);
}

/// <summary>One transformer layer: attention, intermediate, output.</summary>
public sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertConfig c) : base("layer")
    {
        attention = new BertAttention(c);
        intermediate = new BertIntermediate(c);
        output = new BertResidualOutput(c.IntermediateSize, c);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var a = attention.call(hidden, additiveMask);
        return output.call(intermediate.call(a), a).MoveToOuterDisposeScope();
    }
}

/// <summary>encoder.layer.0..N-1.</summary>
public sealed class BertEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig c) : base("encoder")
    {
        layer = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new BertLayer(c)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var h = hidden;
        foreach (var l in layer) h = l.call(h, additiveMask);
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>tanh(dense(h[:, 0])): HF's pooled output (not the paper's x_t, kept for the weights).</summary>
public sealed class BertPooler : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    public BertPooler(BertConfig c) : base("pooler")
    {
        dense = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor lastHidden)
    {
        using var scope = NewDisposeScope();
        return tanh(dense.call(lastHidden.select(1, 0))).MoveToOuterDisposeScope();
    }
}
