using ClapAudit.Common;
using static TorchSharp.torch;

namespace ClapAudit.Checkpoints;

/// <summary>
/// msclap 2022's CLAP checkpoint (<c>CLAP_weights_2022.pth</c>, keys under <c>model</c>) in the key names
/// <c>ClapModel</c> loads: the audio tower (<c>audio_encoder.base.</c>, PANNs CNN14 keys), both projections and
/// <c>logit_scale</c> as they are, and the caption BERT (<c>caption_encoder.base.</c>) mapped as
/// <see cref="HuggingFaceBert.MapKeys"/> maps a Hugging Face BERT (bert. stripped, cls.* heads and position_ids
/// dropped, gamma/beta renamed). One mapping for <c>convert --model clap</c> and for loading the model.
/// </summary>
public static class MsclapCheckpoint
{
    public const string CaptionPrefix = "caption_encoder.base.";

    /// <summary>Whether the file holds msclap's audio tower.</summary>
    public static bool IsMsclap(StateDict file) =>
        file.Keys.Any(k => k.StartsWith(Cnn14Checkpoint.MsclapPrefix + "conv_block1.", StringComparison.Ordinal));

    /// <summary>The file's tensors under ClapModel's names, in the file's order, the caption BERT's after the rest;
    /// the CNN14 front-end buffers (spectrogram_extractor, logmel_extractor) are kept: a caller that builds the
    /// model drops them.</summary>
    public static List<KeyValuePair<string, Tensor>> ClapKeys(StateDict file)
    {
        Guard.Match(IsMsclap(file),
            $"{file.Source}: not an msclap CLAP checkpoint (no {Cnn14Checkpoint.MsclapPrefix}conv_block1.* keys)");
        var keys = file.Tensors.Where(kv => !kv.Key.StartsWith(CaptionPrefix, StringComparison.Ordinal)).ToList();
        keys.AddRange(HuggingFaceBert.MapKeys(file.Tensors).Select(kv => KeyValuePair.Create(CaptionPrefix + kv.Key, kv.Value)));
        return keys;
    }

    /// <summary>Whether a key is one of CNN14's front-end buffers (STFT kernels, mel filters), which ClapModel does
    /// not hold.</summary>
    public static bool IsFrontEndBuffer(string key) =>
        key.Contains("spectrogram_extractor.", StringComparison.Ordinal) || key.Contains("logmel_extractor.", StringComparison.Ordinal);
}
