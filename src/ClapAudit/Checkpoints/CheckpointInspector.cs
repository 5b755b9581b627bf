using ClapAudit.Common;
using ClapAudit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>One tensor of a checkpoint as listed by <c>inspect</c>.</summary>
public sealed record TensorInfo(string Key, long[] Shape, string DType, long Elements);

/// <summary>A ClapAudit model a checkpoint fits (or nearly fits), with the load report against it.</summary>
public sealed record ModelFit(string Model, string Detail, bool Fits, string Report);

/// <summary>What <c>inspect</c> reports: tensors, counts, metadata and the models the file fits.</summary>
public sealed record CheckpointInfo(
    string Path, string Format, string WeightsFile, IReadOnlyList<TensorInfo> Tensors,
    long TotalElements, long ParameterCount, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<ModelFit> Fits);

/// <summary>
/// Reads a checkpoint file or a Hugging Face folder and says which ClapAudit model it fits:
/// PANNs CNN14 (widths inferred), HF BERT (config from config.json or inferred from shapes),
/// or an msclap CLAP checkpoint (CNN14 under audio_encoder.base., BERT under caption_encoder.base.).
/// Shapes are compared with the model's without copying any weight.
/// </summary>
public static class CheckpointInspector
{
    public static CheckpointInfo Inspect(string path)
    {
        string weights = path;
        BertConfig? folderConfig = null;
        if (Directory.Exists(path))
        {
            weights = HuggingFaceBert.WeightsFile(path);
            string cfg = System.IO.Path.Combine(path, "config.json");
            if (File.Exists(cfg)) folderConfig = BertConfig.Load(cfg);
        }
        else Guard.FileExists(path, "checkpoint or model folder");
        var format = CheckpointFile.Sniff(weights);
        using var file = CheckpointFile.Read(weights);
        var tensors = file.Tensors.Select(kv => new TensorInfo(kv.Key, kv.Value.shape, DTypeName(kv.Value.dtype), kv.Value.numel())).ToList();
        long total = tensors.Sum(t => t.Elements);
        long parameters = tensors.Where(t => !IsBuffer(t.Key)).Sum(t => t.Elements);
        var shapes = file.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        var fits = new List<ModelFit>();
        bool clap = shapes.Keys.Any(k => k.StartsWith(Cnn14Checkpoint.MsclapPrefix, StringComparison.Ordinal))
            && shapes.Keys.Any(k => k.StartsWith("caption_encoder.base.", StringComparison.Ordinal));
        var cnn = FitCnn14(file);
        var bert = FitBert(file, folderConfig);
        if (clap)
        {
            var proj = shapes.Keys.Where(k => k.Contains(".projection.", StringComparison.Ordinal)).Count();
            bool both = cnn is { Fits: true } && bert is { Fits: true };
            fits.Add(new ModelFit("msclap CLAP", $"audio: {cnn?.Detail ?? "no CNN14"}; text: {bert?.Detail ?? "no BERT"}; {proj} projection tensors" +
                (shapes.ContainsKey("logit_scale") ? "; logit_scale" : ""), both, both ? "backbones fit" : "a backbone does not fit (see its line)"));
        }
        if (cnn is not null) fits.Add(cnn);
        if (bert is not null) fits.Add(bert);
        return new CheckpointInfo(path, CheckpointFile.Describe(format), weights, tensors, total, parameters, file.Metadata, fits);
    }

    private static ModelFit? FitCnn14(StateDict file)
    {
        var (tensors, source) = Cnn14Checkpoint.SelectCnn14Keys(file);
        if (!tensors.ContainsKey("conv_block1.conv1.weight") && !tensors.ContainsKey("fc_audioset.weight")) return null;
        foreach (var k in new[] { Cnn14FrontEndBuffers.StftRealKey, Cnn14FrontEndBuffers.StftImagKey, Cnn14FrontEndBuffers.MelFiltersKey }) tensors.Remove(k);
        Cnn14Options options;
        try { options = Cnn14Checkpoint.InferOptions(tensors, new Cnn14Options()); }
        catch (ClapAuditException e) { return new ModelFit("PANNs CNN14", "shapes do not give a valid CNN14", false, e.Message); }
        var report = StateDictLoader.Compare(Cnn14Shapes(options), tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape));
        return new ModelFit("PANNs CNN14", options.ToString(), report.IsExact, report.Describe(source, options.ToString()));
    }

    private static ModelFit? FitBert(StateDict file, BertConfig? folderConfig)
    {
        var mapped = HuggingFaceBert.MapKeys(file.Tensors);
        if (!mapped.TryGetValue("embeddings.word_embeddings.weight", out var words)) return null;
        var config = folderConfig ?? InferBertConfig(mapped, words);
        config = config with { AddPoolingLayer = mapped.Keys.Any(k => k.StartsWith("pooler.", StringComparison.Ordinal)) };
        var detail = $"BERT(hidden {config.HiddenSize}, layers {config.NumHiddenLayers}, heads {config.NumAttentionHeads}{(folderConfig is null ? " (assumed: hidden/64)" : "")}, intermediate {config.IntermediateSize}, vocab {config.VocabSize})";
        var report = StateDictLoader.Compare(BertShapes(config), mapped.ToDictionary(kv => kv.Key, kv => kv.Value.shape));
        return new ModelFit("Hugging Face BERT", detail, report.IsExact, report.Describe(file.Source, detail));
    }

    private static BertConfig InferBertConfig(Dictionary<string, Tensor> t, Tensor words)
    {
        int hidden = (int)words.shape[1];
        int layers = t.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(k => int.TryParse(k.Split('.')[2], out int i) ? i + 1 : 0).DefaultIfEmpty(0).Max();
        int inter = t.TryGetValue("encoder.layer.0.intermediate.dense.weight", out var d) ? (int)d.shape[0] : 4 * hidden;
        int positions = t.TryGetValue("embeddings.position_embeddings.weight", out var p) ? (int)p.shape[0] : 512;
        int types = t.TryGetValue("embeddings.token_type_embeddings.weight", out var ty) ? (int)ty.shape[0] : 2;
        return new BertConfig
        {
            VocabSize = (int)words.shape[0],
            HiddenSize = hidden,
            NumHiddenLayers = Math.Max(layers, 1),
            NumAttentionHeads = hidden % 64 == 0 ? hidden / 64 : 1,
            IntermediateSize = inter,
            MaxPositionEmbeddings = positions,
            TypeVocabSize = types,
        };
    }

    /// <summary>Key shapes of a CNN14 with these options, derived without allocating the model.</summary>
    public static Dictionary<string, long[]> Cnn14Shapes(Cnn14Options o)
    {
        var s = new Dictionary<string, long[]>();
        void Bn(string p, long n)
        {
            s[p + ".weight"] = [n]; s[p + ".bias"] = [n]; s[p + ".running_mean"] = [n]; s[p + ".running_var"] = [n]; s[p + ".num_batches_tracked"] = [];
        }
        Bn("bn0", o.MelBins);
        long cin = 1;
        for (int i = 0; i < 6; i++)
        {
            long c = o.Channels[i];
            s[$"conv_block{i + 1}.conv1.weight"] = [c, cin, 3, 3];
            s[$"conv_block{i + 1}.conv2.weight"] = [c, c, 3, 3];
            Bn($"conv_block{i + 1}.bn1", c);
            Bn($"conv_block{i + 1}.bn2", c);
            cin = c;
        }
        long e = o.ResolvedEmbeddingSize;
        s["fc1.weight"] = [e, cin]; s["fc1.bias"] = [e];
        s["fc_audioset.weight"] = [o.ClassCount, e]; s["fc_audioset.bias"] = [o.ClassCount];
        return s;
    }

    /// <summary>Key shapes of a BertModel with this config, derived without allocating the model.</summary>
    public static Dictionary<string, long[]> BertShapes(BertConfig c)
    {
        long h = c.HiddenSize, i = c.IntermediateSize;
        var s = new Dictionary<string, long[]>
        {
            ["embeddings.word_embeddings.weight"] = [c.VocabSize, h],
            ["embeddings.position_embeddings.weight"] = [c.MaxPositionEmbeddings, h],
            ["embeddings.token_type_embeddings.weight"] = [c.TypeVocabSize, h],
            ["embeddings.LayerNorm.weight"] = [h],
            ["embeddings.LayerNorm.bias"] = [h],
        };
        for (int l = 0; l < c.NumHiddenLayers; l++)
        {
            string p = $"encoder.layer.{l}.";
            foreach (var q in new[] { "query", "key", "value" }) { s[p + $"attention.self.{q}.weight"] = [h, h]; s[p + $"attention.self.{q}.bias"] = [h]; }
            s[p + "attention.output.dense.weight"] = [h, h]; s[p + "attention.output.dense.bias"] = [h];
            s[p + "attention.output.LayerNorm.weight"] = [h]; s[p + "attention.output.LayerNorm.bias"] = [h];
            s[p + "intermediate.dense.weight"] = [i, h]; s[p + "intermediate.dense.bias"] = [i];
            s[p + "output.dense.weight"] = [h, i]; s[p + "output.dense.bias"] = [h];
            s[p + "output.LayerNorm.weight"] = [h]; s[p + "output.LayerNorm.bias"] = [h];
        }
        if (c.AddPoolingLayer) { s["pooler.dense.weight"] = [h, h]; s["pooler.dense.bias"] = [h]; }
        return s;
    }

    private static bool IsBuffer(string key) =>
        key.EndsWith("running_mean", StringComparison.Ordinal) || key.EndsWith("running_var", StringComparison.Ordinal)
        || key.EndsWith("num_batches_tracked", StringComparison.Ordinal) || key.EndsWith("position_ids", StringComparison.Ordinal)
        || key.Contains("spectrogram_extractor.", StringComparison.Ordinal) || key.Contains("logmel_extractor.", StringComparison.Ordinal);

    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => t.ToString().ToLowerInvariant(),
    };
}
