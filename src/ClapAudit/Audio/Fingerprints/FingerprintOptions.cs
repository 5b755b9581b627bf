using ClapAudit.Common;

namespace ClapAudit.Audio.Fingerprints;

/// <summary>Settings of the landmark fingerprint (<see cref="LandmarkFingerprinter"/>) and of matching.</summary>
/// <param name="SampleRate">Audio is down-mixed and resampled to this rate first (audfprint's 11025 Hz: the band
/// below 5.5 kHz survives MP3/Ogg coding at 128 kb/s and every common source rate).</param>
/// <param name="FftSize">STFT window (periodic Hann) in samples; 512 at 11025 Hz is 46 ms.</param>
/// <param name="Hop">STFT hop in samples; 256 at 11025 Hz is 23 ms, the time resolution of offsets.</param>
/// <param name="PeakFrameRadius">A peak is the largest value within this many frames either side ...</param>
/// <param name="PeakBinRadius">... and this many frequency bins either side.</param>
/// <param name="MinProminenceDb">... and stands this far above the mean log magnitude of that neighbourhood
/// (a relative test, so a change of gain leaves the peaks unchanged).</param>
/// <param name="FloorDb">Bins quieter than this, relative to a full-scale sine, are never peaks (digital
/// silence).</param>
/// <param name="MaxPeaksPerFrame">At most this many peaks per frame, the loudest first.</param>
/// <param name="FanOut">Each peak pairs with at most this many later peaks in its target zone (Wang 2003).</param>
/// <param name="MaxDeltaFrames">Target zone: 1..this many frames later (6 bits of the hash).</param>
/// <param name="MaxDeltaBins">Target zone: at most this many bins up or down (6 bits of the hash).</param>
/// <param name="Shifts">The test clips are fingerprinted this many times, each shifted by Hop / Shifts samples,
/// and indexed together (audfprint's <c>--shifts</c>): a copy cut at any sample then lines up within Hop / (2 Shifts)
/// of one of them, where a single grid loses about half the landmarks at a half-hop offset.</param>
/// <param name="MinMatches">A match needs at least this many landmarks agreeing on one time offset (+-1 frame).</param>
/// <param name="MinFraction">... and that count must be at least this share of the test clip's landmarks.</param>
public sealed record FingerprintOptions(
    int SampleRate = 11025,
    int FftSize = 512,
    int Hop = 256,
    int PeakFrameRadius = 3,
    int PeakBinRadius = 8,
    double MinProminenceDb = 6,
    double FloorDb = -90,
    int MaxPeaksPerFrame = 5,
    int FanOut = 5,
    int MaxDeltaFrames = 63,
    int MaxDeltaBins = 31,
    int Shifts = 4,
    int MinMatches = 12,
    double MinFraction = 0.05)
{
    public void Validate()
    {
        Guard.Positive(SampleRate);
        Guard.Setting(FftSize is >= 64 and <= 512 && (FftSize & (FftSize - 1)) == 0,
            $"fingerprint fft_size must be a power of two in 64..512 (bins fit the hash's 8 bits), got {FftSize}");
        Guard.Setting(Hop > 0 && Hop <= FftSize, $"fingerprint hop must be in 1..{FftSize}, got {Hop}");
        Guard.Positive(PeakFrameRadius);
        Guard.Positive(PeakBinRadius);
        Guard.Positive(MaxPeaksPerFrame);
        Guard.Positive(FanOut);
        Guard.Setting(MaxDeltaFrames is >= 1 and <= 63, $"max_delta_frames must be in 1..63, got {MaxDeltaFrames}");
        Guard.Setting(MaxDeltaBins is >= 1 and <= 31, $"max_delta_bins must be in 1..31, got {MaxDeltaBins}");
        Guard.Setting(Shifts >= 1 && Shifts <= Hop, $"fingerprint shifts must be in 1..{Hop}, got {Shifts}");
        Guard.Positive(MinMatches);
        Guard.InRange(MinFraction, 0, 1);
    }

    /// <summary>Seconds per STFT frame: the resolution of a match's offset.</summary>
    public double FrameSeconds => (double)Hop / SampleRate;

    /// <summary>What the peaks depend on; the cache key includes it, so a changed setting never reuses old
    /// peaks.</summary>
    internal string PeakSignature =>
        $"v1 sr={SampleRate} n={FftSize} hop={Hop} r={PeakFrameRadius}x{PeakBinRadius} prom={MinProminenceDb} floor={FloorDb} max={MaxPeaksPerFrame}";
}
