using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// The log-mel front-end of PANNs' Cnn14 (torchlibrosa Spectrogram + LogmelFilterBank). Defaults are
/// the msclap/paper values: 44.1 kHz, n_fft = window 1024, hop 320, 64 mel bins from 50 to 14000 Hz,
/// amin 1e-10, ref 1.0, no top_db. The PANNs checkpoint Cnn14_mAP=0.431 was trained with the same
/// values at 32 kHz.
/// </summary>
public sealed record LogMelOptions
{
    public int SampleRate { get; init; } = 44100;
    /// <summary>Periodic Hann window length, also the FFT size (n_fft).</summary>
    public int WindowSize { get; init; } = 1024;
    public int HopSize { get; init; } = 320;
    public int MelBins { get; init; } = 64;
    public double FMin { get; init; } = 50;
    public double FMax { get; init; } = 14000;
    public double Amin { get; init; } = 1e-10;
    public double Ref { get; init; } = 1.0;
    /// <summary>When set, dB values below (batch max - TopDb) are raised to it, as torchlibrosa does.</summary>
    public double? TopDb { get; init; }

    /// <summary>One-sided FFT bins: WindowSize/2 + 1.</summary>
    public int FftBins => WindowSize / 2 + 1;

    /// <summary>Frames for a clip of <paramref name="samples"/> samples (centred STFT): samples/hop + 1.</summary>
    public int Frames(int samples) => samples / HopSize + 1;

    public void Validate()
    {
        Guard.Positive(SampleRate, nameof(SampleRate));
        Guard.Setting(WindowSize >= 4, $"{nameof(WindowSize)} must be at least 4, got {WindowSize}");
        Guard.Positive(HopSize, nameof(HopSize));
        Guard.Positive(MelBins, nameof(MelBins));
        Guard.Setting(FMin >= 0 && double.IsFinite(FMin), $"{nameof(FMin)} must be >= 0, got {FMin}");
        Guard.Setting(FMax > FMin && FMax <= SampleRate / 2.0,
            $"{nameof(FMax)} must be in ({FMin}, {SampleRate / 2.0}] (above FMin, at most Nyquist), got {FMax}");
        Guard.Positive(Amin, nameof(Amin));
        Guard.Positive(Ref, nameof(Ref));
        Guard.Setting(TopDb is null || (TopDb >= 0 && double.IsFinite(TopDb.Value)), $"{nameof(TopDb)} must be >= 0, got {TopDb}");
    }
}
