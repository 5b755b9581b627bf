using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Models;

/// <summary>
/// An audio backbone: a TorchSharp module mapping a log-mel batch (B, 1, frames, mels) to the
/// unimodal audio embedding x_a (B, EmbeddingSize). CNN14 is the paper's; tests use tiny ones.
/// The log-mel front-end has no trainable parameters and runs before the backbone.
/// </summary>
public interface IAudioBackbone
{
    int EmbeddingSize { get; }
    Tensor EmbedAudio(Tensor logMel);
    /// <summary>The module itself, for parameters, train/eval mode, devices and state dicts.</summary>
    nn.Module AsModule { get; }
}

/// <summary>
/// A text backbone: token ids and attention mask (B, L), both int64, to the unimodal text
/// embedding x_t (B, EmbeddingSize). BERT's final hidden state of [CLS] is the paper's.
/// </summary>
public interface ITextBackbone
{
    int EmbeddingSize { get; }
    Tensor EmbedText(Tensor inputIds, Tensor attentionMask);
    nn.Module AsModule { get; }
}
