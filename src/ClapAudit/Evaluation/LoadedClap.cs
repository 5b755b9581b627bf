using ClapAudit.Audio;
using ClapAudit.Models;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Evaluation;

/// <summary>
/// A CLAP model ready for inference (eval mode, on <see cref="Device"/>) with everything needed to
/// feed it: the log-mel front-end, the tokenizer, the waveform preprocessing it was trained with,
/// and the text length. Made by <see cref="ClapModelLoader"/>.
/// </summary>
public sealed class LoadedClap : IDisposable
{
    public LoadedClap(ClapModel model, nn.Module<Tensor, Tensor> frontEnd, BertTokenizer tokenizer, AudioPreprocessing preprocessing,
        int textLength, Device device, string source, IReadOnlyList<string>? warnings = null)
    {
        Model = model;
        FrontEnd = frontEnd;
        Tokenizer = tokenizer;
        Preprocessing = preprocessing;
        TextLength = textLength;
        Device = device;
        Source = source;
        Warnings = warnings ?? [];
    }

    public ClapModel Model { get; }
    public nn.Module<Tensor, Tensor> FrontEnd { get; }
    public BertTokenizer Tokenizer { get; }
    public AudioPreprocessing Preprocessing { get; }
    /// <summary>Prompts are tokenised to at most this many tokens, [CLS] and [SEP] included.</summary>
    public int TextLength { get; }
    public Device Device { get; }
    /// <summary>What was loaded (path and kind), for reports.</summary>
    public string Source { get; }
    /// <summary>Things to tell the user (e.g. checkpoint mel filters that differ from the computed ones).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public void Dispose()
    {
        Model.Dispose();
        FrontEnd.Dispose();
    }
}
