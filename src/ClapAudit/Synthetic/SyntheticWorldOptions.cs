using System.Text.Json.Serialization;
using ClapAudit.Common;

namespace ClapAudit.Synthetic;

/// <summary>
/// Sizes and knobs of the synthetic sound world. <see cref="Default"/> is the full demo (the whole
/// six-setup run under 10 minutes on 2 cores); <see cref="Quick"/> the `--quick` one (under 2 minutes).
/// The ratio of pre-training clips to captioned clips is kept large on purpose: with too much
/// captioned data the audio pre-training stops mattering (docs/demo-world.md).
/// </summary>
public sealed record SyntheticWorldOptions
{
    public int Seed { get; init; }
    public int SampleRate { get; init; } = 16000;
    public double ClipSeconds { get; init; } = 1.0;

    /// <summary>Zero-shot test classes (ESC-50 style); made only of the test source kinds.</summary>
    public int TestClasses { get; init; } = 20;
    /// <summary>All other classes (captioned training and pre-training only).</summary>
    public int OtherClasses { get; init; } = 20;

    /// <summary>AudioSet-style labelled clips per class (audio pre-training), test classes included.</summary>
    public int PretrainClipsPerClass { get; init; } = 40;
    /// <summary>Clotho-style captioned clips per class (CLAP training), test classes included ("dirty").</summary>
    public int CaptionedClipsPerClass { get; init; } = 8;
    /// <summary>ESC-50-style clips per test class (the zero-shot evaluation).</summary>
    public int TestClipsPerClass { get; init; } = 20;

    /// <summary>
    /// Fraction of each test class's captioned clips described only by the synonym in every caption,
    /// so the leakage filter keeps them ("puppy" survives a filter for "dog"); at least one clip per class.
    /// </summary>
    public double SynonymOnlyFraction { get; init; } = 0.125;
    /// <summary>Per caption: probability of naming the class by its primary name (else synonym or no name).</summary>
    public double NameProbability { get; init; } = 0.5;
    /// <summary>Per caption: probability of naming no class at all (attribute words only).</summary>
    public double NamelessProbability { get; init; } = 0.2;

    /// <summary>Background noise standard deviation relative to the signal's, drawn per clip in this range.</summary>
    public double MinNoiseToSignal { get; init; } = 0.5;
    public double MaxNoiseToSignal { get; init; } = 2.0;
    /// <summary>Per-clip pitch jitter (standard deviation of the log frequency).</summary>
    public double PitchJitter { get; init; } = 0.05;

    /// <summary>Text corpus: context sentences per class, each written once with the name and once with the synonym.</summary>
    public int CorpusContextsPerClass { get; init; } = 40;

    public static SyntheticWorldOptions Default { get; } = new();

    public static SyntheticWorldOptions Quick { get; } = new()
    {
        TestClasses = 8,
        OtherClasses = 16,
        PretrainClipsPerClass = 30,
        CaptionedClipsPerClass = 8,
        TestClipsPerClass = 10,
        CorpusContextsPerClass = 30,
    };

    [JsonIgnore] public int Classes => TestClasses + OtherClasses;
    [JsonIgnore] public int SamplesPerClip => (int)Math.Round(SampleRate * ClipSeconds);

    public void Validate()
    {
        Guard.InRange(SampleRate, 8000, 96000, nameof(SampleRate));
        Guard.InRange(ClipSeconds, 0.25, 30, nameof(ClipSeconds));
        int maxTest = SoundVocabulary.TestSources.Length * SoundVocabulary.Pitches * SoundVocabulary.Rhythms;
        int maxOther = SoundVocabulary.TrainSources.Length * SoundVocabulary.Pitches * SoundVocabulary.Rhythms;
        Guard.InRange(TestClasses, 2, maxTest, nameof(TestClasses));
        Guard.InRange(OtherClasses, 1, maxOther, nameof(OtherClasses));
        Guard.Positive(PretrainClipsPerClass);
        Guard.InRange(CaptionedClipsPerClass, 2, 10000, nameof(CaptionedClipsPerClass));
        Guard.Positive(TestClipsPerClass);
        Guard.InRange(SynonymOnlyFraction, 0, 1, nameof(SynonymOnlyFraction));
        Guard.InRange(NameProbability, 0, 1, nameof(NameProbability));
        Guard.InRange(NamelessProbability, 0, 1, nameof(NamelessProbability));
        Guard.Setting(NameProbability + NamelessProbability <= 1,
            $"NameProbability + NamelessProbability must be at most 1, got {NameProbability} + {NamelessProbability}");
        Guard.InRange(MinNoiseToSignal, 0, 100, nameof(MinNoiseToSignal));
        Guard.Setting(MaxNoiseToSignal >= MinNoiseToSignal,
            $"MaxNoiseToSignal ({MaxNoiseToSignal}) must be at least MinNoiseToSignal ({MinNoiseToSignal})");
        Guard.InRange(PitchJitter, 0, 0.3, nameof(PitchJitter));
        Guard.Positive(CorpusContextsPerClass);
    }
}
