using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Models;
using ClapAudit.Text;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Evaluation;

/// <summary>
/// Writes the embedding bundle <c>analyze</c> audits (docs/formats.md) for ESC-50: rows in
/// meta/esc50.csv order, classes in target order, plus <c>items.txt</c> (the audio file name of
/// each row). A CLAP bundle holds x_a, E_a, x_t, E_t (E_* L2-normalised); a backbone-only bundle
/// (the paper's Figure 4: pre-trained backbones, no cross-modal training) holds
/// audio_backbone.npy and text_backbone.npy only.
/// </summary>
public static class EmbeddingExport
{
    public const string ItemsFile = "items.txt";

    /// <summary>folds.npy of a bundle: the fold of each row (ESC-50 1..5, UrbanSound8K 1..10; 0 for a labelled folder).</summary>
    private static int[] FoldsOf(ZeroShotTestSet data) => data.Items.Select(i => i.Fold).ToArray();

    public static void Export(LoadedClap model, ZeroShotTestSet data, string bundleDir, string promptTemplate = Esc50Options.DefaultPromptTemplate,
        int batchSize = 32, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var (xa, ea, xt, et, labels) = Compute(model, data, promptTemplate, batchSize, progress, ct);
        var bundle = new EmbeddingBundle(bundleDir, ea.ToMatrix(), et.ToMatrix(), labels.ToArray(), data.ClassNames,
            xa.ToMatrix(), xt.ToMatrix(), FoldsOf(data));
        EmbeddingBundleWriter.Write(bundle, bundleDir, staging => WriteItems(staging, data));
    }

    /// <summary>x_a and x_t of the backbones themselves (eval mode, offset 0), no projection.</summary>
    public static void ExportBackbones(IAudioBackbone audio, nn.Module<Tensor, Tensor> frontEnd, AudioPreprocessing preprocessing,
        ITextBackbone text, BertTokenizer tokenizer, int textLength, ZeroShotTestSet data, string bundleDir,
        string promptTemplate = Esc50Options.DefaultPromptTemplate, int batchSize = 32, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        Guard.Data(data.Items.Count > 0, $"{data.Folder}: no ESC-50 clips selected");
        var device = audio.AsModule.parameters().FirstOrDefault()?.device ?? CPU;
        audio.AsModule.eval();
        text.AsModule.eval();
        frontEnd.eval();
        var (xa, _) = ClapEmbedder.Audio(data.Items.Select(i => i.AudioPath).ToList(), preprocessing, frontEnd,
            m => (audio.EmbedAudio(m), null), device, batchSize, progress, ct);
        var (xt, _) = ClapEmbedder.Text(data.Prompts(promptTemplate), tokenizer, textLength,
            (ids, mask) => (text.EmbedText(ids, mask), null), device, batchSize, ct);
        // A backbone-only bundle: no E_a/E_t (the paper's Figure 4).
        var labels = data.Items.Select(i => i.Target).ToArray();
        var bundle = new EmbeddingBundle(bundleDir, null, null, labels, data.ClassNames, xa.ToMatrix(), xt.ToMatrix(), FoldsOf(data));
        EmbeddingBundleWriter.Write(bundle, bundleDir, staging => WriteItems(staging, data));
    }

    /// <summary>
    /// Backbone-only export from files: CNN14 from a PANNs/msclap file (null: random init with
    /// <paramref name="randomInit"/> or the full PANNs size, seeded by <paramref name="seed"/>),
    /// BERT from a Hugging Face folder. Preprocessing defaults to the paper's recipe (44.1 kHz, 5 s,
    /// z-normalised), the log-mel to PANNs' values with CNN14's mel bins.
    /// </summary>
    public static void ExportBackbones(string? cnn14Path, Cnn14Options? randomInit, string bertFolder, ZeroShotTestSet data, string bundleDir,
        AudioPreprocessing? preprocessing = null, LogMelOptions? logMel = null, MelFilterSource melFilters = MelFilterSource.Computed,
        string promptTemplate = Esc50Options.DefaultPromptTemplate, int batchSize = 32, IProgress<int>? progress = null,
        IProgress<string>? warnings = null, int seed = 0, CancellationToken ct = default)
    {
        using var bert = HuggingFaceBert.Load(bertFolder);
        Cnn14 cnn;
        Cnn14FrontEndBuffers? buffers = null;
        if (cnn14Path is null)
        {
            manual_seed(seed);
            cnn = new Cnn14(randomInit ?? new Cnn14Options());
        }
        else
        {
            var loaded = Cnn14Checkpoint.Load(cnn14Path, strict: true);
            cnn = loaded.Model;
            buffers = loaded.FrontEnd;
        }
        using (cnn)
        {
            preprocessing ??= new AudioPreprocessing();
            logMel ??= new LogMelOptions { SampleRate = preprocessing.SampleRate, MelBins = cnn.Options.MelBins, FMax = Math.Min(14000, preprocessing.SampleRate / 2.0) };
            float[]? filters = buffers is null ? null
                : ClapTraining.CheckFrontEnd(buffers, logMel, melFilters, cnn14Path!, warnings is null ? null : warnings.Report);
            using var frontEnd = new LogMelSpectrogram(logMel, filters);
            int textLength = Math.Min(BertTokenizer.DefaultMaxLength, bert.Config.MaxPositionEmbeddings);
            ExportBackbones(cnn, frontEnd, preprocessing, bert.Model, bert.Tokenizer, textLength, data, bundleDir, promptTemplate, batchSize, progress, ct);
        }
    }

    /// <summary>x_a, E_a (clips in CSV order), x_t, E_t (prompts in target order) and the labels.</summary>
    internal static (FloatRows Xa, FloatRows Ea, FloatRows Xt, FloatRows Et, int[] Labels) Compute(LoadedClap model, ZeroShotTestSet data,
        string promptTemplate, int batchSize, IProgress<int>? progress, CancellationToken ct)
    {
        Guard.Data(data.Items.Count > 0, $"{data.Folder}: no ESC-50 clips selected");
        model.Model.eval();
        model.FrontEnd.eval();
        var (xa, ea) = ClapEmbedder.Audio(data.Items.Select(i => i.AudioPath).ToList(), model.Preprocessing, model.FrontEnd,
            m => model.Model.EncodeAudio(m), model.Device, batchSize, progress, ct);
        var (xt, et) = ClapEmbedder.Text(data.Prompts(promptTemplate), model.Tokenizer, model.TextLength,
            (ids, mask) => model.Model.EncodeText(ids, mask), model.Device, batchSize, ct);
        return (xa, ea!, xt, et!, data.Items.Select(i => i.Target).ToArray());
    }

    private static void WriteItems(string bundleDir, ZeroShotTestSet data) =>
        AtomicFile.WriteAllText(Path.Combine(bundleDir, ItemsFile), string.Join("\n", data.Items.Select(i => i.FileName)) + "\n");
}
