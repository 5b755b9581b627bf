using ClapAudit.Training;

namespace ClapAudit.Synthetic;

/// <summary>
/// Sizes for <c>clapaudit demo</c>: the synthetic world, the tiny text backbone's pre-training and the
/// overrides of the real training and pre-training recipes. Only sizes change; every step runs the
/// product's own code (readers, leakage filter, pre-training, CLAP trainer, grid, report).
/// Why these values: docs/demo-world.md.
/// </summary>
public sealed record DemoPreset(
    string Name,
    SyntheticWorldOptions World,
    TextPretrainRecipe Text,
    IReadOnlyDictionary<string, string> Training,
    IReadOnlyDictionary<string, string> Pretraining,
    IReadOnlyList<int> Cnn14Channels)
{
    /// <summary>16 kHz, 1 s clips; log-mel 32 bands from a 512-point FFT, hop 160 (10 ms), 50-8000 Hz.</summary>
    private static readonly Dictionary<string, string> Audio = new()
    {
        ["sample_rate"] = "16000", ["duration_seconds"] = "1", ["window_size"] = "512", ["hop_size"] = "160",
        ["mel_bins"] = "32", ["fmin"] = "50", ["fmax"] = "8000", ["workers"] = "2", ["checkpoint_every"] = "0",
    };

    private static Dictionary<string, string> With(Dictionary<string, string> extra) =>
        Audio.Concat(extra).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>CLAP training: the paper's schedule (frozen phase, then unfrozen with a lower rate), shortened.</summary>
    private static Dictionary<string, string> Clap(int frozenEpochs, int maxEpochs) => With(new()
    {
        ["batch_size"] = "64", ["projection_dim"] = "64", ["text_length"] = "32",
        ["frozen_epochs"] = $"{frozenEpochs}", ["max_epochs"] = $"{maxEpochs}",
        ["frozen_learning_rate"] = "1e-3", ["unfrozen_learning_rate"] = "3e-4",
    });

    /// <summary>
    /// CNN14 pre-training as supervised tagging. SpecAugment's 64-frame time masks would blank most of a
    /// 101-frame clip, and mixup slows learning on a small set, so both are off here (on by default).
    /// </summary>
    private static Dictionary<string, string> Pretrain(int maxEpochs) => With(new()
    {
        ["base_width"] = "8", ["batch_size"] = "32", ["max_epochs"] = $"{maxEpochs}", ["early_stopping_patience"] = "4",
        ["spec_augment"] = "false", ["mixup"] = "false", ["z_normalize"] = "true", ["validation_fraction"] = "0.1",
    });

    private static readonly int[] Widths = [8, 16, 32, 64, 128, 256];

    public static DemoPreset Quick { get; } = new("quick", SyntheticWorldOptions.Quick, TextPretrainRecipe.Quick,
        Clap(frozenEpochs: 2, maxEpochs: 4), Pretrain(maxEpochs: 12), Widths);

    public static DemoPreset Default { get; } = new("default", SyntheticWorldOptions.Default, TextPretrainRecipe.Default,
        Clap(frozenEpochs: 3, maxEpochs: 8), Pretrain(maxEpochs: 10), Widths);
}
