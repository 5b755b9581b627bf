using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>How several channels become one waveform.</summary>
public enum ChannelMode
{
    /// <summary>Average the channels (the usual downmix; deterministic for stereo files).</summary>
    Mean,
    /// <summary>Put the channels end to end, as msclap's <c>reshape(-1)</c> does (doubles a stereo clip's length).</summary>
    Concat,
}

/// <summary>How a clip shorter than the target duration is filled.</summary>
public enum PadMode
{
    /// <summary>Append zeros.</summary>
    Zero,
    /// <summary>Tile the clip and truncate, as msclap does.</summary>
    Repeat,
}

/// <summary>
/// Waveform preprocessing before the log-mel front-end. Defaults follow the paper's recipe (item (i)):
/// 44.1 kHz, 5 s, channel mean, zero padding, zero-mean unit-variance normalisation.
/// </summary>
public sealed record AudioPreprocessing
{
    public int SampleRate { get; init; } = 44100;
    public double DurationSeconds { get; init; } = 5;
    public ChannelMode Channels { get; init; } = ChannelMode.Mean;
    public PadMode Pad { get; init; } = PadMode.Zero;
    public bool Normalize { get; init; } = true;

    /// <summary>Samples in a prepared clip: round(SampleRate * DurationSeconds).</summary>
    public int TargetSamples => (int)Math.Round(SampleRate * DurationSeconds);

    public void Validate()
    {
        Guard.Setting(SampleRate is >= AudioPreprocessor.MinSourceRate and <= AudioPreprocessor.MaxSourceRate,
            $"sample rate {SampleRate} Hz is outside " +
            $"{AudioPreprocessor.MinSourceRate}..{AudioPreprocessor.MaxSourceRate} Hz");
        Guard.Positive(DurationSeconds, nameof(DurationSeconds));
        Guard.Setting(SampleRate * DurationSeconds < int.MaxValue / 2.0,
            $"{nameof(DurationSeconds)} {DurationSeconds} at {SampleRate} Hz is too long");
        Guard.Setting(TargetSamples >= 1, $"{nameof(DurationSeconds)} {DurationSeconds} at {SampleRate} Hz gives no samples");
        Guard.Setting(Enum.IsDefined(Channels), $"unknown channel mode {Channels}");
        Guard.Setting(Enum.IsDefined(Pad), $"unknown pad mode {Pad}");
    }
}
