using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Audio;
using ClapAudit.Common;
using ClapAudit.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ClapAudit.Training.Pretraining;

/// <summary>
/// Settings of CNN14 pre-training on AudioSet-style multi-label data, defaults as PANNs trains
/// Cnn14_mAP=0.431 (qiuqiangkong/audioset_tagging_cnn, pytorch/main.py): Adam lr 1e-3 with amsgrad,
/// batch 32, SpecAugment, mixup alpha 1.0, 32 kHz 10 s clips, 1024/320/64 mels 50-14000 Hz, widths
/// 64..2048. PANNs counts iterations over an endless sampler; here the unit is the epoch (one pass over
/// the training clips) with early stopping on the validation loss. snake_case keys in YAML/JSON files
/// and <c>key=value</c> overrides, as <see cref="TrainingRecipe"/>.
/// </summary>
public sealed record PretrainRecipe
{
    // --- optimisation
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>PANNs: Adam(betas 0.9/0.999, eps 1e-8, weight_decay 0, amsgrad=True).</summary>
    public bool Amsgrad { get; init; } = true;
    /// <summary>Examples per step after mixup (PANNs loads 2 x batch_size clips and mixes them pairwise).</summary>
    public int BatchSize { get; init; } = 32;
    public int MaxEpochs { get; init; } = 100;
    /// <summary>Stop after this many epochs without a new best validation loss.</summary>
    public int EarlyStoppingPatience { get; init; } = 10;
    public double EarlyStoppingMinDelta { get; init; } = 0;
    /// <summary>Share of the (filtered) clips held out for validation loss and mAP; 0: none (no early stopping, the last weights are kept).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    // --- augmentation and sampling
    public bool SpecAugment { get; init; } = true;
    public bool Mixup { get; init; } = true;
    public double MixupAlpha { get; init; } = 1.0;
    /// <summary>PANNs' BalancedTrainSampler: each example draws a class uniformly, then a clip of it.</summary>
    public bool BalancedSampling { get; init; } = false;

    // --- audio and front-end (PANNs: 32 kHz, 10 s)
    public int SampleRate { get; init; } = 32000;
    public double DurationSeconds { get; init; } = 10;
    /// <summary>Training clips are cut at a seeded random offset (validation: from 0).</summary>
    public bool RandomCrop { get; init; } = true;
    /// <summary>"zero" or "repeat" for clips shorter than the duration.</summary>
    public string Padding { get; init; } = "zero";
    /// <summary>PANNs feeds raw waveforms (no per-clip normalisation).</summary>
    public bool ZNormalize { get; init; } = false;
    public int WindowSize { get; init; } = 1024;
    public int HopSize { get; init; } = 320;
    public int MelBins { get; init; } = 64;
    public double Fmin { get; init; } = 50;
    public double Fmax { get; init; } = 14000;

    // --- model
    /// <summary>conv_block1's width; blocks 2..6 double it (64: PANNs' 64..2048).</summary>
    public int BaseWidth { get; init; } = 64;

    // --- run
    public int Seed { get; init; } = 0;
    public int Workers { get; init; } = 4;
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>Also write last.ckpt every this many steps (0: at the end of each epoch only).</summary>
    public int CheckpointEvery { get; init; } = 1000;
    public int Threads { get; init; } = 0;
    public string Device { get; init; } = "cpu";

    [JsonIgnore, YamlIgnore] public int AudioSamples => (int)Math.Round(SampleRate * DurationSeconds);
    /// <summary>Clips decoded per step: twice the batch with mixup, as PANNs.</summary>
    [JsonIgnore, YamlIgnore] public int ClipsPerStep => Mixup ? 2 * BatchSize : BatchSize;

    public LogMelOptions LogMelOptions() => new()
    {
        SampleRate = SampleRate,
        WindowSize = WindowSize,
        HopSize = HopSize,
        MelBins = MelBins,
        FMin = Fmin,
        FMax = Fmax,
    };

    public AudioPreprocessing Preprocessing() => new()
    {
        SampleRate = SampleRate,
        DurationSeconds = DurationSeconds,
        Pad = Padding == "repeat" ? PadMode.Repeat : PadMode.Zero,
        Normalize = ZNormalize,
    };

    public Cnn14Options ModelOptions(int classCount) => new()
    {
        MelBins = MelBins,
        Channels = Enumerable.Range(0, 6).Select(i => BaseWidth << i).ToArray(),
        ClassCount = classCount,
        SpecAugment = SpecAugment,
        MixupAlpha = MixupAlpha,
    };

    public PretrainRecipe Validate()
    {
        Check(LearningRate > 0, "learning_rate", LearningRate, "> 0");
        Check(BatchSize >= 1, "batch_size", BatchSize, ">= 1");
        Check(MaxEpochs >= 1, "max_epochs", MaxEpochs, ">= 1");
        Check(EarlyStoppingPatience >= 1, "early_stopping_patience", EarlyStoppingPatience, ">= 1");
        Check(EarlyStoppingMinDelta >= 0, "early_stopping_min_delta", EarlyStoppingMinDelta, ">= 0");
        Check(ValidationFraction >= 0 && ValidationFraction < 1, "validation_fraction", ValidationFraction, "in [0, 1)");
        Check(MixupAlpha > 0, "mixup_alpha", MixupAlpha, "> 0");
        Check(SampleRate >= 1000, "sample_rate", SampleRate, ">= 1000");
        Check(DurationSeconds > 0, "duration_seconds", DurationSeconds, "> 0");
        Check(Padding is "zero" or "repeat", "padding", Padding, "zero or repeat");
        Check(WindowSize >= 16, "window_size", WindowSize, ">= 16");
        Check(HopSize >= 1, "hop_size", HopSize, ">= 1");
        Check(MelBins >= Cnn14Options.MinimumInputSize, "mel_bins", MelBins, $">= {Cnn14Options.MinimumInputSize} (five 2x2 poolings)");
        Check(Fmin >= 0 && Fmin < Fmax, "fmin", Fmin, "in [0, fmax)");
        Check(Fmax <= SampleRate / 2.0, "fmax", Fmax, $"<= sample_rate / 2 = {SampleRate / 2.0}");
        int frames = AudioSamples / HopSize + 1;
        Check(frames >= Cnn14Options.MinimumInputSize, "duration_seconds", DurationSeconds,
            $"long enough for {Cnn14Options.MinimumInputSize} frames at hop {HopSize} (got {frames})");
        Check(BaseWidth >= 1 && BaseWidth <= 1024, "base_width", BaseWidth, "in 1..1024");
        Check(Workers >= 1, "workers", Workers, ">= 1");
        Check(PrefetchBatches >= 1, "prefetch_batches", PrefetchBatches, ">= 1");
        Check(CheckpointEvery >= 0, "checkpoint_every", CheckpointEvery, ">= 0");
        Check(Threads >= 0, "threads", Threads, ">= 0");
        Check(!string.IsNullOrWhiteSpace(Device), "device", Device, "cpu or cuda");
        return this;
    }

    private static void Check(bool ok, string key, object value, string expected) => Settings.Check(ok, key, value, expected);

    // ------------------------------------------------------------------ files and overrides

    private static readonly RecipeSettings<PretrainRecipe> Settings = new("pretrain", "batch_size, sample_rate");
    internal static JsonSerializerOptions Json => RecipeSettings<PretrainRecipe>.Json;

    /// <summary>Reads a settings file (.yaml/.yml or .json); absent keys keep the defaults.</summary>
    public static PretrainRecipe Load(string path) => Settings.Load(path, "pretrain config", r => r.Validate());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The keys (snake_case) in declaration order.</summary>
    public static IReadOnlyList<string> Keys => Settings.Keys;

    /// <summary>Applies <c>key=value</c> overrides (snake_case keys, invariant-culture numbers), then validates.</summary>
    public PretrainRecipe WithOverrides(IEnumerable<string> overrides) => Settings.WithOverrides(this, overrides, r => r.Validate());

    /// <summary>One override (not validated: call <see cref="Validate"/> after the last).</summary>
    public PretrainRecipe With(string key, string value) => Settings.With(this, key, value);

    /// <summary>Keys whose values differ between two recipes (for a resume with changed settings).</summary>
    public IReadOnlyList<string> Differences(PretrainRecipe other) => Settings.Differences(this, other);
}
