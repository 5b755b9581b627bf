using ClapAudit.Common;

namespace ClapAudit.Training;

/// <summary>
/// Seeds derived from (seed, stream, b, c) by SplitMix64, the same in every process (unlike
/// HashCode.Combine), so shuffles, crops and dropout depend on the seed and position only, never
/// on worker timing or on where a run was interrupted.
/// </summary>
public static class DeterministicSeed
{
    public static ulong Derive(long seed, SeedStream stream, long b = 0, long c = 0) =>
        SplitMix64.Mix(SplitMix64.Mix(SplitMix64.Mix(SplitMix64.Mix((ulong)seed) ^ (ulong)stream) ^ (ulong)b) ^ (ulong)c);

    /// <summary>A System.Random seeded from (seed, stream, b, c).</summary>
    public static Random Random(long seed, SeedStream stream, long b = 0, long c = 0) =>
        new((int)(Derive(seed, stream, b, c) & 0x7FFFFFFF));

    /// <summary>A torch.manual_seed value from (seed, stream, b).</summary>
    public static long Torch(long seed, SeedStream stream, long b = 0) =>
        (long)(Derive(seed, stream, b, 0x70C4) & 0x7FFFFFFFFFFFUL);
}

/// <summary>
/// The named random streams of the three trainers. Each value is the number the stream has always used, so runs
/// made before the streams had names keep their exact random draws; values repeat across trainers because each
/// trainer's streams are independent of the others' (a run uses one trainer).
/// </summary>
public enum SeedStream : long
{
    /// <summary>CLAP training: shuffle of the training pairs, per epoch (<c>PairPipeline</c>).</summary>
    PairShuffle = 1,
    /// <summary>CLAP training: random crop of a training clip, per (epoch, position).</summary>
    PairCropTrain = 2,
    /// <summary>CLAP training: crop of a validation clip, per (epoch, position).</summary>
    PairCropValidation = 3,
    /// <summary>CLAP training: libtorch's generator before each step.</summary>
    ClapStep = 3,
    /// <summary>CLAP training: every dropout of the model (projectors, CNN14, BERT), per step.</summary>
    ClapDropout = 4,
    /// <summary>CLAP training: initialisation of the projectors (and backbones trained from scratch).</summary>
    ClapInit = 5,

    /// <summary>Audio pre-training: the train/validation split of the clips.</summary>
    PretrainSplit = 1,
    /// <summary>Audio pre-training: the order of the clips, per epoch.</summary>
    PretrainOrder = 2,
    /// <summary>Audio pre-training: libtorch's generator before each step (SpecAugment, dropout).</summary>
    PretrainStep = 3,
    /// <summary>Audio pre-training: random crop of a clip, per (epoch, item).</summary>
    PretrainCrop = 5,
    /// <summary>Audio pre-training: mixup coefficients, per step.</summary>
    PretrainMixup = 6,
    /// <summary>Audio pre-training: initialisation of CNN14.</summary>
    PretrainInit = 7,

    /// <summary>Text pre-training: initialisation of the BERT.</summary>
    TextInit = 1,
    /// <summary>Text pre-training: the order of the sentences, per epoch.</summary>
    TextOrder = 2,
    /// <summary>Text pre-training: libtorch's generator before each step (dropout).</summary>
    TextStep = 3,
    /// <summary>Text pre-training: which tokens are masked, per step.</summary>
    TextMasking = 5,
}
