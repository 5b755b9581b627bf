using ClapAudit.Common;

namespace ClapAudit.Models;

/// <summary>What CNN14's BatchNorm layers do while the model is in training mode.</summary>
public enum Cnn14BatchNorm
{
    /// <summary>PyTorch's train mode: normalise with the batch's statistics and update the running ones.</summary>
    Batch,
    /// <summary>Stay in eval mode: normalise with the running statistics and leave them as they are.</summary>
    Running,
}

/// <summary>
/// CNN14 (PANNs) configuration; defaults are Cnn14_mAP=0.431.pth's and msclap 2022's.
/// Widths, mel bins and class count are inferred from a checkpoint's shapes when loading.
/// </summary>
public sealed record Cnn14Options
{
    /// <summary>Mel bands of the log-mel input (bn0's width).</summary>
    public int MelBins { get; init; } = 64;

    /// <summary>Output channels of conv_block1..6.</summary>
    public IReadOnlyList<int> Channels { get; init; } = [64, 128, 256, 512, 1024, 2048];

    /// <summary>fc_audioset outputs (AudioSet: 527).</summary>
    public int ClassCount { get; init; } = 527;

    /// <summary>fc1's width, the embedding x_a; null means the last channel width (2048 in PANNs).</summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>Dropout after each conv block in training (PANNs: 0.2).</summary>
    public double BlockDropout { get; init; } = 0.2;

    /// <summary>Dropout before fc1 and on the returned embedding in training (PANNs: 0.5).</summary>
    public double HeadDropout { get; init; } = 0.5;

    /// <summary>SpecAugment (torchlibrosa) in training mode, after bn0.</summary>
    public bool SpecAugment { get; init; } = true;
    public int TimeDropWidth { get; init; } = 64;
    public int TimeStripes { get; init; } = 2;
    public int FreqDropWidth { get; init; } = 8;
    public int FreqStripes { get; init; } = 2;

    /// <summary>BatchNorm in training mode (PANNs: batch statistics).</summary>
    public Cnn14BatchNorm BatchNorm { get; init; } = Cnn14BatchNorm.Batch;

    /// <summary>Beta(alpha, alpha) for mixup lambdas (PANNs: 1.0); mixup runs only when lambdas are passed.</summary>
    public double MixupAlpha { get; init; } = 1.0;

    public int ResolvedEmbeddingSize => EmbeddingSize ?? Channels[^1];

    /// <summary>
    /// A tiny CNN14 for tests and the demo (widths 8..256, 32 mels, 10 classes). 32 mels is the
    /// least that survives the five 2x2 poolings (PANNs' 64 mels end at 2 bins).
    /// </summary>
    public static Cnn14Options Tiny { get; } = new() { MelBins = 32, Channels = [8, 16, 32, 64, 128, 256], ClassCount = 10 };

    /// <summary>Frames and mel bins needed by the five 2x2 average poolings.</summary>
    public const int MinimumInputSize = 32;

    public Cnn14Options Validated()
    {
        Guard.Positive(MelBins);
        Guard.Setting(Channels.Count == 6, $"CNN14 has 6 conv blocks; Channels has {Channels.Count} widths");
        foreach (int c in Channels) Guard.Setting(c > 0, $"CNN14 channel widths must be positive, got [{string.Join(", ", Channels)}]");
        Guard.Positive(ClassCount);
        Guard.Positive(ResolvedEmbeddingSize);
        Guard.InRange(BlockDropout, 0, 1);
        Guard.InRange(HeadDropout, 0, 1);
        Guard.Setting(TimeDropWidth >= 0 && TimeStripes >= 0 && FreqDropWidth >= 0 && FreqStripes >= 0, "SpecAugment widths and stripe counts must be >= 0");
        Guard.Positive(MixupAlpha);
        return this;
    }

    public override string ToString() =>
        $"CNN14(mels {MelBins}, channels {string.Join("-", Channels)}, embedding {ResolvedEmbeddingSize}, classes {ClassCount})";
}
