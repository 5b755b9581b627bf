using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using ClapAudit.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ClapAudit.Training;

/// <summary>
/// The training recipe of the paper (section 2.1, items (b)-(j)) as defaults, every value
/// overridable from a YAML/JSON file (snake_case keys, e.g. <c>frozen_epochs: 5</c>) and from
/// <c>key=value</c> overrides. This record is the single source of truth for those defaults.
/// </summary>
public sealed record TrainingRecipe
{
    // --- schedule: items (b)-(e), (h)
    /// <summary>(b) Epochs trained with both backbones frozen.</summary>
    public int FrozenEpochs { get; init; } = 5;
    /// <summary>(c) Adam learning rate while frozen.</summary>
    public double FrozenLearningRate { get; init; } = 1e-4;
    /// <summary>(e) Adam learning rate after unfreezing (a new Adam is created at the switch).</summary>
    public double UnfrozenLearningRate { get; init; } = 1e-5;
    /// <summary>
    /// (e) Stop after this many unfrozen epochs without a new best validation loss. Larger than
    /// <see cref="PlateauPatience"/> so that a learning-rate cut (h) gets epochs to act before the stop.
    /// </summary>
    public int EarlyStoppingPatience { get; init; } = 20;
    /// <summary>A validation loss counts as better when below best - EarlyStoppingMinDelta.</summary>
    public double EarlyStoppingMinDelta { get; init; } = 0;
    /// <summary>(h) ReduceLROnPlateau on the validation loss: factor.</summary>
    public double PlateauFactor { get; init; } = 0.1;
    /// <summary>(h) ReduceLROnPlateau patience (epochs).</summary>
    public int PlateauPatience { get; init; } = 10;
    /// <summary>Upper bound on epochs whatever early stopping says.</summary>
    public int MaxEpochs { get; init; } = 100;

    // --- step: items (f), (g), (j)
    /// <summary>(f) Gradient L2 norm clipped to this value (clip_grad_norm_).</summary>
    public double GradientClipNorm { get; init; } = 100;
    /// <summary>(g) Logits clamped to [-LogitClamp, LogitClamp].</summary>
    public double LogitClamp { get; init; } = 100;
    /// <summary>(j) Pairs per batch.</summary>
    public int BatchSize { get; init; } = 128;

    // --- model head
    public int ProjectionDim { get; init; } = 1024;
    public double ProjectionDropout { get; init; } = 0.5;
    /// <summary>Captions are tokenised to this many tokens ([CLS] ... [SEP], padded; msclap: 100).</summary>
    public int TextLength { get; init; } = 100;

    // --- audio backbone in training (CNN14; PANNs values as defaults)
    /// <summary>
    /// SpecAugment (torchlibrosa: 2 time stripes up to 64 frames, 2 mel stripes up to 8 bands) while CNN14
    /// trains. Sized for PANNs' 10-s (1001-frame) clips; on 1-s clips (101 frames) it blanks about half the frames.
    /// </summary>
    public bool AudioSpecAugment { get; init; } = true;
    /// <summary>CNN14's dropout after each conv block while it trains (PANNs: 0.2).</summary>
    public double AudioBlockDropout { get; init; } = 0.2;
    /// <summary>CNN14's dropout before fc1 and on the embedding while it trains (PANNs: 0.5).</summary>
    public double AudioHeadDropout { get; init; } = 0.5;
    /// <summary>
    /// CNN14's BatchNorm while it trains: "batch" (PyTorch's train mode: batch statistics, running statistics
    /// updated) or "running" (the layers stay in eval mode: running statistics used and kept; the affine
    /// weights still learn). Frozen backbones always use running statistics.
    /// </summary>
    public string AudioBatchNorm { get; init; } = "batch";
    /// <summary>
    /// Before a randomly initialised CNN14 (no checkpoint) trains, this many training batches are run through
    /// it without gradients to set its BatchNorm running statistics (their plain average); 0: off. Without
    /// it a frozen random CNN14 normalises with mean 0 and variance 1, whatever its activations are.
    /// </summary>
    public int RandomInitNormBatches { get; init; } = 0;

    // --- audio: item (i)
    public int SampleRate { get; init; } = 44100;
    public double DurationSeconds { get; init; } = 5;
    /// <summary>(i) Training clips are cut at a random offset (validation: a fixed offset per item).</summary>
    public bool RandomCrop { get; init; } = true;
    /// <summary>(i) Shorter clips are zero-padded ("zero") or tiled as msclap does ("repeat").</summary>
    public string Padding { get; init; } = "zero";
    /// <summary>(i) Each clip scaled to zero mean and unit variance.</summary>
    public bool ZNormalize { get; init; } = true;

    // --- log-mel front-end (PANNs/msclap values; fmax must stay at most half the sample rate)
    /// <summary>STFT window and FFT size (PANNs: 1024).</summary>
    public int WindowSize { get; init; } = 1024;
    /// <summary>STFT hop in samples (PANNs: 320).</summary>
    public int HopSize { get; init; } = 320;
    /// <summary>Mel bands (PANNs: 64); must equal CNN14's bn0 width.</summary>
    public int MelBins { get; init; } = 64;
    /// <summary>Lowest mel filter edge in Hz (PANNs: 50).</summary>
    public double Fmin { get; init; } = 50;
    /// <summary>Highest mel filter edge in Hz (PANNs: 14000).</summary>
    public double Fmax { get; init; } = 14000;

    // --- run
    public int Seed { get; init; } = 0;
    /// <summary>Audio decoding workers of the data pipeline.</summary>
    public int Workers { get; init; } = 4;
    /// <summary>Batches decoded ahead of the one training.</summary>
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>Also write last.ckpt every this many steps (0: at the end of each epoch only).</summary>
    public int CheckpointEvery { get; init; } = 500;
    /// <summary>
    /// Also score text-to-audio and audio-to-text retrieval (R@1/5/10, mAP@10, as <c>analyze</c> does) on the
    /// validation pairs after each epoch; log.csv gains t2a_* and a2t_* columns. Off by default: it costs one
    /// similarity pass over the validation set, O(captions x clips x d).
    /// </summary>
    public bool ValRetrieval { get; init; } = false;
    /// <summary>torch intra-op threads (0: all cores).</summary>
    public int Threads { get; init; } = 0;
    public string Device { get; init; } = "cpu";

    [JsonIgnore, YamlIgnore]
    public int AudioSamples => (int)Math.Round(SampleRate * DurationSeconds);

    /// <summary>The log-mel front-end of this recipe (sample rate, window, hop, mels, fmin, fmax).</summary>
    public ClapAudit.Audio.LogMelOptions LogMelOptions() => new()
    {
        SampleRate = SampleRate,
        WindowSize = WindowSize,
        HopSize = HopSize,
        MelBins = MelBins,
        FMin = Fmin,
        FMax = Fmax,
    };

    /// <summary>The waveform preprocessing of this recipe (channel mean; the crop offset is chosen by the caller).</summary>
    public ClapAudit.Audio.AudioPreprocessing AudioPreprocessing() => new()
    {
        SampleRate = SampleRate,
        DurationSeconds = DurationSeconds,
        Pad = Padding == "repeat" ? ClapAudit.Audio.PadMode.Repeat : ClapAudit.Audio.PadMode.Zero,
        Normalize = ZNormalize,
    };

    /// <summary>
    /// <paramref name="template"/> (a checkpoint's inferred shape, or a random-init size) with this recipe's
    /// training behaviour: SpecAugment, dropout rates and BatchNorm mode.
    /// </summary>
    public Cnn14Options AudioTraining(Cnn14Options template) => template with
    {
        SpecAugment = AudioSpecAugment,
        BlockDropout = AudioBlockDropout,
        HeadDropout = AudioHeadDropout,
        BatchNorm = AudioBatchNorm == "running" ? Cnn14BatchNorm.Running : Cnn14BatchNorm.Batch,
    };

    public ClapModelOptions ModelOptions() => new()
    {
        ProjectionDim = ProjectionDim,
        ProjectionDropout = ProjectionDropout,
        LogitClamp = LogitClamp,
    };

    /// <summary>Checks every value; the message names the key (as written in a recipe file).</summary>
    public TrainingRecipe Validate()
    {
        Check(FrozenEpochs >= 0, "frozen_epochs", FrozenEpochs, ">= 0");
        Check(FrozenLearningRate > 0, "frozen_learning_rate", FrozenLearningRate, "> 0");
        Check(UnfrozenLearningRate > 0, "unfrozen_learning_rate", UnfrozenLearningRate, "> 0");
        Check(EarlyStoppingPatience >= 1, "early_stopping_patience", EarlyStoppingPatience, ">= 1");
        Check(EarlyStoppingMinDelta >= 0, "early_stopping_min_delta", EarlyStoppingMinDelta, ">= 0");
        Check(PlateauFactor > 0 && PlateauFactor < 1, "plateau_factor", PlateauFactor, "in (0, 1)");
        Check(PlateauPatience >= 0, "plateau_patience", PlateauPatience, ">= 0");
        Check(MaxEpochs >= 1, "max_epochs", MaxEpochs, ">= 1");
        Check(GradientClipNorm > 0, "gradient_clip_norm", GradientClipNorm, "> 0");
        Check(LogitClamp >= 0, "logit_clamp", LogitClamp, ">= 0 (0: no clamp)");
        Check(BatchSize >= 2, "batch_size", BatchSize, ">= 2 (the CLIP loss contrasts pairs within a batch)");
        Check(ProjectionDim >= 1, "projection_dim", ProjectionDim, ">= 1");
        Check(ProjectionDropout >= 0 && ProjectionDropout < 1, "projection_dropout", ProjectionDropout, "in [0, 1)");
        Check(AudioBlockDropout >= 0 && AudioBlockDropout < 1, "audio_block_dropout", AudioBlockDropout, "in [0, 1)");
        Check(AudioHeadDropout >= 0 && AudioHeadDropout < 1, "audio_head_dropout", AudioHeadDropout, "in [0, 1)");
        Check(AudioBatchNorm is "batch" or "running", "audio_batch_norm", AudioBatchNorm, "batch or running");
        Check(RandomInitNormBatches >= 0, "random_init_norm_batches", RandomInitNormBatches, ">= 0 (0: off)");
        Check(TextLength >= 2, "text_length", TextLength, ">= 2");
        Check(SampleRate >= 1000, "sample_rate", SampleRate, ">= 1000");
        Check(DurationSeconds > 0, "duration_seconds", DurationSeconds, "> 0");
        Check(Padding is "zero" or "repeat", "padding", Padding, "zero or repeat");
        Check(WindowSize >= 4, "window_size", WindowSize, ">= 4");
        Check(HopSize >= 1, "hop_size", HopSize, ">= 1");
        Check(MelBins >= 1, "mel_bins", MelBins, ">= 1");
        Check(Fmin >= 0, "fmin", Fmin, ">= 0");
        Check(Fmax > Fmin && Fmax <= SampleRate / 2.0, "fmax", Fmax, $"in ({Fmin}, {SampleRate / 2.0}] (above fmin, at most half of sample_rate {SampleRate})");
        Check(Workers >= 1, "workers", Workers, ">= 1");
        Check(PrefetchBatches >= 1, "prefetch_batches", PrefetchBatches, ">= 1");
        Check(CheckpointEvery >= 0, "checkpoint_every", CheckpointEvery, ">= 0");
        Check(Threads >= 0, "threads", Threads, ">= 0");
        Check(!string.IsNullOrWhiteSpace(Device), "device", Device, "cpu or cuda");
        return this;
    }

    private static void Check(bool ok, string key, object value, string expected) => Settings.Check(ok, key, value, expected);

    // ------------------------------------------------------------------ files and overrides

    private static readonly RecipeSettings<TrainingRecipe> Settings = new("recipe", "frozen_epochs, batch_size");
    internal static JsonSerializerOptions Json => RecipeSettings<TrainingRecipe>.Json;

    /// <summary>Reads a settings file (.yaml/.yml or .json); absent keys keep the defaults.</summary>
    public static TrainingRecipe Load(string path) => Settings.Load(path, "recipe file", r => r.Validate());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingRecipe FromJson(string json, string source) =>
        JsonSerializer.Deserialize<TrainingRecipe>(json, Json) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: empty recipe");

    public string ToYaml() => new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Serialize(this);

    /// <summary>The keys (snake_case) in declaration order.</summary>
    public static IReadOnlyList<string> Keys => Settings.Keys;

    /// <summary>Applies <c>key=value</c> overrides (snake_case keys, invariant-culture numbers), then validates.</summary>
    public TrainingRecipe WithOverrides(IEnumerable<string> overrides) => Settings.WithOverrides(this, overrides, r => r.Validate());

    /// <summary>One override (not validated: call <see cref="Validate"/> after the last).</summary>
    public TrainingRecipe With(string key, string value) => Settings.With(this, key, value);

    /// <summary>Keys whose values differ between two recipes (for a resume with changed settings).</summary>
    public IReadOnlyList<string> Differences(TrainingRecipe other) => Settings.Differences(this, other);
}
