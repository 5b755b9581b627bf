using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Models;

/// <summary>A Hugging Face BERT config.json; defaults are bert-base-uncased's.</summary>
public sealed record BertConfig
{
    public int VocabSize { get; init; } = 30522;
    public int HiddenSize { get; init; } = 768;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int IntermediateSize { get; init; } = 3072;
    /// <summary>"gelu" (exact, erf), "gelu_new"/"gelu_pytorch_tanh" (tanh approximation) or "relu".</summary>
    public string HiddenAct { get; init; } = "gelu";
    public double HiddenDropoutProb { get; init; } = 0.1;
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    public int MaxPositionEmbeddings { get; init; } = 512;
    public int TypeVocabSize { get; init; } = 2;
    public double LayerNormEps { get; init; } = 1e-12;
    public int PadTokenId { get; init; }
    /// <summary>HF's BertModel has a pooler by default; its output is not x_t but its weights are in the files.</summary>
    public bool AddPoolingLayer { get; init; } = true;

    public static BertConfig BertBaseUncased { get; } = new();

    public BertConfig Validated()
    {
        Guard.Positive(VocabSize);
        Guard.Positive(HiddenSize);
        Guard.Positive(NumHiddenLayers);
        Guard.Positive(NumAttentionHeads);
        Guard.Setting(HiddenSize % NumAttentionHeads == 0, $"BERT hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        Guard.Positive(IntermediateSize);
        Guard.Setting(HiddenAct is "gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu", $"BERT hidden_act '{HiddenAct}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        Guard.Positive(MaxPositionEmbeddings);
        Guard.Positive(TypeVocabSize);
        Guard.Positive(LayerNormEps);
        Guard.InRange(HiddenDropoutProb, 0, 1);
        Guard.InRange(AttentionProbsDropoutProb, 0, 1);
        return this;
    }

    /// <summary>Reads config.json; absent keys keep bert-base-uncased's values.</summary>
    public static BertConfig Load(string path)
    {
        Guard.FileExists(path, "BERT config.json");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            var d = new BertConfig();
            if (r.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String && mt.GetString() is not "bert")
                throw new ClapAuditException(ErrorKind.Mismatch, $"{path}: model_type is '{mt.GetString()}', expected 'bert'");
            if (r.TryGetProperty("position_embedding_type", out var pe) && pe.GetString() is not "absolute")
                throw new ClapAuditException(ErrorKind.Mismatch, $"{path}: position_embedding_type '{pe.GetString()}' is not supported (absolute only)");
            var config = new BertConfig
            {
                VocabSize = Int(r, "vocab_size", d.VocabSize, path),
                HiddenSize = Int(r, "hidden_size", d.HiddenSize, path),
                NumHiddenLayers = Int(r, "num_hidden_layers", d.NumHiddenLayers, path),
                NumAttentionHeads = Int(r, "num_attention_heads", d.NumAttentionHeads, path),
                IntermediateSize = Int(r, "intermediate_size", d.IntermediateSize, path),
                HiddenAct = Str(r, "hidden_act", d.HiddenAct, path),
                HiddenDropoutProb = Num(r, "hidden_dropout_prob", d.HiddenDropoutProb, path),
                AttentionProbsDropoutProb = Num(r, "attention_probs_dropout_prob", d.AttentionProbsDropoutProb, path),
                MaxPositionEmbeddings = Int(r, "max_position_embeddings", d.MaxPositionEmbeddings, path),
                TypeVocabSize = Int(r, "type_vocab_size", d.TypeVocabSize, path),
                LayerNormEps = Num(r, "layer_norm_eps", d.LayerNormEps, path),
                // HF writes "pad_token_id": null for a model without padding; BERT pads with 0.
                PadTokenId = r.TryGetProperty("pad_token_id", out var pad) && pad.ValueKind == JsonValueKind.Null
                    ? d.PadTokenId : Int(r, "pad_token_id", d.PadTokenId, path),
            };
            try { return config.Validated(); }
            catch (ClapAuditException e)
            {
                throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: {e.Message}", e);
            }
        }
        catch (JsonException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: a value has the wrong type: {e.Message}", e);
        }
    }

    // A key that is present must have the right type: "hidden_size": "big" falling back to 768 would be
    // blamed later on a shape mismatch far from its cause.
    private static int Int(JsonElement r, string key, int fallback, string path)
    {
        if (!r.TryGetProperty(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        throw WrongType(path, key, v, "an integer");
    }

    private static double Num(JsonElement r, string key, double fallback, string path)
    {
        if (!r.TryGetProperty(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        throw WrongType(path, key, v, "a number");
    }

    private static string Str(JsonElement r, string key, string fallback, string path)
    {
        if (!r.TryGetProperty(key, out var v)) return fallback;
        if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
        throw WrongType(path, key, v, "a string");
    }

    private static ClapAuditException WrongType(string path, string key, JsonElement v, string expected) =>
        new(ErrorKind.InvalidData, $"{path}: \"{key}\" is {v.GetRawText()}, expected {expected}");
}
