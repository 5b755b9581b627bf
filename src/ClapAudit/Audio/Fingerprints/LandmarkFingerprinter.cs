#pragma warning disable CS1573 // only the parameters that need a word are documented
using System.Buffers;
using ClapAudit.Common;
using System.Runtime.InteropServices;
using TorchSharp;

namespace ClapAudit.Audio.Fingerprints;

/// <summary>
/// Landmark fingerprints (Wang 2003, "An industrial-strength audio search algorithm"; the layout of
/// D. Ellis's audfprint): down-mix, resample to <see cref="FingerprintOptions.SampleRate"/> with the project's
/// <see cref="Resampler"/>, STFT magnitude in dB (libtorch's real FFT), then peaks that are local maxima of a time x frequency
/// neighbourhood and stand above its mean. Every test is relative to neighbouring bins, so gain does not move
/// peaks; the band kept survives resampling and 128 kb/s lossy coding. Cost: O(samples x taps) to resample,
/// O(frames x FftSize log FftSize) for the STFT and O(frames x bins x (radii)) for the peak search.
/// </summary>
public static class LandmarkFingerprinter
{
    public static Fingerprint ComputeFile(string path, FingerprintOptions options, int shift = 0) =>
        Compute(AudioDecoder.Decode(path), options, path, shift);

    /// <param name="shift">Sub-hop shift index: the first shift x Hop / <see cref="FingerprintOptions.Shifts"/> samples
    /// (at the fingerprint rate) are dropped, so the frames fall between those of shift 0.</param>
    public static Fingerprint Compute(DecodedAudio audio, FingerprintOptions o, string source, int shift = 0)
    {
        var mono = DownMix(audio, source);
        var x = audio.SampleRate == o.SampleRate ? mono : Resampler.Resample(mono, audio.SampleRate, o.SampleRate);
        int drop = shift * o.Hop / o.Shifts;
        if (drop > 0) x = x.Length > drop ? x[drop..] : [];
        int bins = o.FftSize / 2 + 1, frames = FrameCount(x.Length, o);
        // Rented, as the peak search's buffers are: one fresh 0.4 MB array a file is a page fault per 4 KiB.
        var db = ArrayPool<float>.Shared.Rent(Math.Max(1, frames * bins));
        try
        {
            SpectrogramDb(x, o, frames, db);
            return new Fingerprint(frames, FindPeaks(db, frames, bins, o));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(db);
        }
    }

    private static float[] DownMix(DecodedAudio audio, string source)
    {
        int n = audio.Frames, c = audio.ChannelCount;
        if (c == 1)
        {
            // A mono file's one channel is the signal: no copy.
            var only = audio.Channels[0];
            for (int i = 0; i < only.Length; i++)
                if (!float.IsFinite(only[i]))
                    throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: non-finite sample at frame {i}");
            return only;
        }
        var mono = new float[n];
        foreach (var ch in audio.Channels)
        {
            Guard.Data(ch.Length == n, $"{source}: channels differ in length ({ch.Length} vs {n})");
            for (int i = 0; i < n; i++) mono[i] += ch[i];
        }
        if (c > 1)
            for (int i = 0; i < n; i++) mono[i] /= c;
        for (int i = 0; i < n; i++)
            if (!float.IsFinite(mono[i]))
                throw new ClapAuditException(ErrorKind.InvalidData, $"{source}: non-finite sample at frame {i}");
        return mono;
    }

    /// <summary>Frames transformed per libtorch call: bounds the framed copy at 2048 x FftSize doubles (8 MiB at 512).</summary>
    private const int FramesPerBlock = 2048;

    /// <summary>
    /// dB magnitudes relative to a full-scale sine (|X| = N/4 with a Hann window), frames x bins: periodic Hann
    /// frames, no centring or padding, as <c>scipy.signal.stft(..., padded=False, boundary=None)</c> frames them.
    /// The real FFT is libtorch's (pocketfft, float64) on blocks of frames: MathNet's managed complex FFT took
    /// about 115 us a 512-point frame here, five sixths of the whole fingerprint's time.
    /// </summary>
    internal static float[] SpectrogramDb(float[] x, FingerprintOptions o, out int frames)
    {
        frames = FrameCount(x.Length, o);
        var db = new float[frames * (o.FftSize / 2 + 1)];
        SpectrogramDb(x, o, frames, db);
        return db;
    }

    private static int FrameCount(int samples, FingerprintOptions o) => samples < o.FftSize ? 0 : 1 + (samples - o.FftSize) / o.Hop;

    /// <summary>The same into <paramref name="db"/> (at least frames x bins long).</summary>
    private static void SpectrogramDb(float[] x, FingerprintOptions o, int frames, float[] db)
    {
        int n = o.FftSize, bins = n / 2 + 1;
        var window = new double[n];
        for (int i = 0; i < n; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / n); // periodic Hann
        double reference = n / 4.0, floor = 1e-12;
        for (int first = 0; first < frames; first += FramesPerBlock)
        {
            int count = Math.Min(FramesPerBlock, frames - first);
            using var scope = torch.NewDisposeScope();
            // The windowed frames are written straight into the tensor: a managed frame array and its copy were two
            // large-object allocations a file, and their fresh pages were most of the command's system time.
            using var block = torch.empty([count, n], torch.ScalarType.Float64);
            var framed = MemoryMarshal.Cast<byte, double>(block.bytes);
            for (int t = 0; t < count; t++)
            {
                int start = (first + t) * o.Hop;
                for (int i = 0; i < n; i++) framed[t * n + i] = x[start + i] * window[i];
            }
            using var magnitude = torch.fft.rfft(block, dim: 1).abs();
            // The tensor's own memory (contiguous float64): TensorAccessor.ToArray copied element by element,
            // slower than the FFT itself.
            var m = MemoryMarshal.Cast<byte, double>(magnitude.bytes);
            var row = db.AsSpan(first * bins, count * bins);
            for (int k = 0; k < row.Length; k++) row[k] = (float)(20 * Math.Log10(Math.Max(m[k] / reference, floor)));
        }
    }

    /// <summary>Peaks packed as frame &lt;&lt; 8 | bin; DC and Nyquist bins are skipped (bins 1..254 fit 8
    /// bits).</summary>
    internal static int[] FindPeaks(float[] db, int frames, int bins, FingerprintOptions o)
    {
        // Separable max filter: over bins, then over frames. The two per-file buffers are rented (a 10 s recording needs
        // 0.4 and 0.9 MB): fresh large arrays for every file of 50,000 cost a page fault per 4 KiB each time.
        var maxF = ArrayPool<float>.Shared.Rent(Math.Max(1, frames * bins));
        var sat = ArrayPool<double>.Shared.Rent((frames + 1) * (bins + 1));
        try
        {
            return Peaks(db, frames, bins, o, maxF, sat);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(maxF);
            ArrayPool<double>.Shared.Return(sat);
        }
    }

    private static int[] Peaks(float[] db, int frames, int bins, FingerprintOptions o, float[] maxF, double[] sat)
    {
        int rt = o.PeakFrameRadius, rf = o.PeakBinRadius;
        // Max over bins, then (below) over frames.
        for (int t = 0; t < frames; t++)
            for (int f = 0; f < bins; f++)
            {
                float m = float.NegativeInfinity;
                for (int g = Math.Max(0, f - rf); g <= Math.Min(bins - 1, f + rf); g++) m = Math.Max(m, db[t * bins + g]);
                maxF[t * bins + f] = m;
            }
        // Summed-area table of dB for the neighbourhood mean (a rented buffer: its first row and column are zeroed here).
        Array.Clear(sat, 0, bins + 1);
        for (int t = 1; t <= frames; t++) sat[t * (bins + 1)] = 0;
        for (int t = 0; t < frames; t++)
        {
            double row = 0;
            for (int f = 0; f < bins; f++)
            {
                row += db[t * bins + f];
                sat[(t + 1) * (bins + 1) + f + 1] = sat[t * (bins + 1) + f + 1] + row;
            }
        }
        var peaks = new List<int>();
        var candidates = new List<(float Db, int Bin)>();
        int lastBin = Math.Min(bins - 2, 255);
        for (int t = 0; t < frames; t++)
        {
            candidates.Clear();
            int t0 = Math.Max(0, t - rt), t1 = Math.Min(frames - 1, t + rt);
            for (int f = 1; f <= lastBin; f++)
            {
                float v = db[t * bins + f];
                if (v < o.FloorDb || v < maxF[t * bins + f]) continue;
                bool isMax = true;
                for (int u = t0; u <= t1 && isMax; u++) if (maxF[u * bins + f] > v) isMax = false;
                if (!isMax) continue;
                int f0 = Math.Max(0, f - rf), f1 = Math.Min(bins - 1, f + rf);
                double sum = sat[(t1 + 1) * (bins + 1) + f1 + 1] - sat[t0 * (bins + 1) + f1 + 1]
                           - sat[(t1 + 1) * (bins + 1) + f0] + sat[t0 * (bins + 1) + f0];
                double mean = sum / ((t1 - t0 + 1) * (f1 - f0 + 1));
                if (v - mean < o.MinProminenceDb) continue;
                candidates.Add((v, f));
            }
            if (candidates.Count > o.MaxPeaksPerFrame)
            {
                candidates.Sort((a, b) => b.Db.CompareTo(a.Db));
                candidates.RemoveRange(o.MaxPeaksPerFrame, candidates.Count - o.MaxPeaksPerFrame);
                candidates.Sort((a, b) => a.Bin.CompareTo(b.Bin));
            }
            foreach (var c in candidates) peaks.Add(t << 8 | c.Bin);
        }
        return peaks.ToArray();
    }
}
