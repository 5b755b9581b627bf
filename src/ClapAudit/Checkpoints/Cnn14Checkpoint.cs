using ClapAudit.Common;
using ClapAudit.Models;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>A float32 buffer copied out of a checkpoint (row-major values and shape).</summary>
public sealed record BufferData(float[] Values, long[] Shape);

/// <summary>
/// The front-end buffers a PANNs/msclap checkpoint carries but the model does not use as
/// parameters: STFT kernels (513, 1, 1024) and the mel filter bank melW (513, mels). Null when absent.
/// </summary>
public sealed record Cnn14FrontEndBuffers(BufferData? StftReal, BufferData? StftImag, BufferData? MelFilters)
{
    public const string StftRealKey = "spectrogram_extractor.stft.conv_real.weight";
    public const string StftImagKey = "spectrogram_extractor.stft.conv_imag.weight";
    public const string MelFiltersKey = "logmel_extractor.melW";
    public bool IsEmpty => StftReal is null && StftImag is null && MelFilters is null;
}

/// <summary>A loaded CNN14 (in eval mode), the options inferred from the file, its front-end buffers and the load report.</summary>
public sealed record Cnn14LoadResult(
    Cnn14 Model, Cnn14Options Options, Cnn14FrontEndBuffers FrontEnd, LoadReport Report, string Source,
    IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Loads PANNs Cnn14 weights: a PANNs training checkpoint ({'iteration', 'model': state_dict, 'sampler'}),
/// a bare state dict, an msclap CLAP checkpoint (keys "audio_encoder.base.*") or a safetensors file.
/// Channel widths, mel bins, embedding size and class count come from the tensors' shapes.
/// </summary>
public static class Cnn14Checkpoint
{
    public const string MsclapPrefix = "audio_encoder.base.";

    public static Cnn14LoadResult Load(string path, bool strict = true, Cnn14Options? template = null)
    {
        using var file = CheckpointFile.Read(path);
        return Load(file, strict, template);
    }

    public static Cnn14LoadResult Load(StateDict file, bool strict = true, Cnn14Options? template = null)
    {
        var (tensors, source) = SelectCnn14Keys(file);
        var frontEnd = new Cnn14FrontEndBuffers(Take(tensors, Cnn14FrontEndBuffers.StftRealKey),
            Take(tensors, Cnn14FrontEndBuffers.StftImagKey), Take(tensors, Cnn14FrontEndBuffers.MelFiltersKey));
        var options = InferOptions(tensors, template ?? new Cnn14Options());
        var model = new Cnn14(options);
        try
        {
            var report = StateDictLoader.Load(model, tensors, strict, source, options.ToString());
            model.eval();
            return new Cnn14LoadResult(model, options, frontEnd, report, source, file.Metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The CNN14 keys of a file: msclap's audio_encoder.base.*, DataParallel's module.*, or all.</summary>
    public static (Dictionary<string, Tensor> Tensors, string Source) SelectCnn14Keys(StateDict file)
    {
        foreach (var prefix in new[] { MsclapPrefix, "module." })
            if (file.Keys.Any(k => k.StartsWith(prefix + "conv_block1.", StringComparison.Ordinal)))
                return (file.WithPrefixRemoved(prefix), $"{file.Source} ({prefix}*)");
        return (file.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), file.Source);
    }

    /// <summary>Widths, mels, embedding size and classes from shapes; absent keys keep the template's values.</summary>
    public static Cnn14Options InferOptions(IReadOnlyDictionary<string, Tensor> t, Cnn14Options template)
    {
        long? Dim(string key, int axis) => t.TryGetValue(key, out var x) && x.dim() > axis ? x.shape[axis] : null;
        var channels = template.Channels.ToArray();
        for (int i = 0; i < 6; i++)
            if (Dim($"conv_block{i + 1}.conv1.weight", 0) is long c) channels[i] = checked((int)c);
        int mels = Dim("bn0.weight", 0) is long m ? (int)m : template.MelBins;
        int classes = Dim("fc_audioset.weight", 0) is long k ? (int)k : template.ClassCount;
        int? embedding = Dim("fc1.weight", 0) is long e ? (int)e : template.EmbeddingSize;
        return (template with { Channels = channels, MelBins = mels, ClassCount = classes, EmbeddingSize = embedding == channels[^1] ? null : embedding }).Validated();
    }

    private static BufferData? Take(Dictionary<string, Tensor> t, string key)
    {
        if (!t.Remove(key, out var x)) return null;
        using var f = x.to(ScalarType.Float32).contiguous();
        return new BufferData(f.data<float>().ToArray(), x.shape);
    }
}
