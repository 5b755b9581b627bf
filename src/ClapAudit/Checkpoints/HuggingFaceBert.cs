using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>A loaded BERT (eval mode) with its config, tokenizer, load report and the weights file used.</summary>
public sealed record HuggingFaceBertResult(BertModel Model, BertConfig Config, BertTokenizer Tokenizer, LoadReport Report, string WeightsFile) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Loads a Hugging Face BERT folder as downloaded: config.json, vocab.txt (tokenizer.json /
/// tokenizer_config.json for the tokeniser's settings) and model.safetensors or pytorch_model.bin.
/// Keys are mapped by <see cref="MapKeys"/>: "bert." stripped, "cls.*" heads and the
/// embeddings.position_ids buffer dropped, LayerNorm gamma/beta renamed weight/bias.
/// </summary>
public static class HuggingFaceBert
{
    public static HuggingFaceBertResult Load(string folder, bool strict = true)
    {
        Guard.DirectoryExists(folder, "BERT model folder");
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        var tokenizer = BertTokenizer.Load(folder);
        Guard.Match(tokenizer.Vocabulary.Count <= config.VocabSize,
            $"{folder}: vocab.txt has {tokenizer.Vocabulary.Count} tokens but config.json's vocab_size is {config.VocabSize}");
        string weights = WeightsFile(folder);
        using var file = CheckpointFile.Read(weights);
        var (model, report) = Create(file.Tensors, config, strict, weights);
        return new HuggingFaceBertResult(model, model.Config, tokenizer, report, weights);
    }

    /// <summary>
    /// A BertModel (eval mode) from tensors of any supported layout (HF BertModel/BertForPreTraining,
    /// msclap's caption_encoder.base.*), mapped by <see cref="MapKeys"/>; the pooler is built only
    /// when the tensors have one. The tensors are copied, so the caller may dispose them afterwards.
    /// </summary>
    public static (BertModel Model, LoadReport Report) Create(IReadOnlyDictionary<string, Tensor> tensors, BertConfig config, bool strict, string source)
    {
        var mapped = MapKeys(tensors);
        var model = new BertModel(config with { AddPoolingLayer = mapped.Keys.Any(k => k.StartsWith("pooler.", StringComparison.Ordinal)) });
        try
        {
            var report = StateDictLoader.Load(model, mapped, strict, source, $"BERT(hidden {config.HiddenSize}, layers {config.NumHiddenLayers}, heads {config.NumAttentionHeads})");
            model.eval();
            return (model, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>model.safetensors if present, else pytorch_model.bin.</summary>
    public static string WeightsFile(string folder)
    {
        foreach (var name in new[] { "model.safetensors", "pytorch_model.bin" })
        {
            string p = Path.Combine(folder, name);
            if (File.Exists(p)) return p;
        }
        if (File.Exists(Path.Combine(folder, "model.safetensors.index.json")) || File.Exists(Path.Combine(folder, "pytorch_model.bin.index.json")))
            throw new ClapAuditException(ErrorKind.InvalidData, $"{folder}: sharded weights (*.index.json) are not supported; a BERT backbone fits in one file");
        throw new ClapAuditException(ErrorKind.NotFound, $"{folder}: no model.safetensors or pytorch_model.bin");
    }

    /// <summary>
    /// BertModel keys from a BertModel/BertForPreTraining/msclap state dict: a "bert." or
    /// "caption_encoder.base." prefix is removed when present, heads and position_ids dropped,
    /// gamma/beta renamed. The tensors stay owned by the source.
    /// </summary>
    public static Dictionary<string, Tensor> MapKeys(IReadOnlyDictionary<string, Tensor> source)
    {
        string prefix = source.Keys.Any(k => k.StartsWith("bert.embeddings.", StringComparison.Ordinal)) ? "bert."
            : source.Keys.Any(k => k.StartsWith("caption_encoder.base.embeddings.", StringComparison.Ordinal)) ? "caption_encoder.base." : "";
        var mapped = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in source)
        {
            if (prefix.Length > 0 && !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                // Heads and other towers: keep unknown top-level keys only in a bare BertModel file.
                continue;
            }
            string k = key[prefix.Length..];
            if (k.StartsWith("cls.", StringComparison.Ordinal) || k == "embeddings.position_ids") continue;
            if (k.EndsWith(".gamma", StringComparison.Ordinal)) k = k[..^".gamma".Length] + ".weight";
            else if (k.EndsWith(".beta", StringComparison.Ordinal)) k = k[..^".beta".Length] + ".bias";
            mapped[k] = tensor;
        }
        return mapped;
    }
}
