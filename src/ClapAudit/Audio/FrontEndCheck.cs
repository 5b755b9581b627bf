using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>How a checkpoint's own front-end buffers compare with those computed for the configured options.</summary>
/// <param name="StftRealMaxAbsDiff">max |checkpoint - computed| over spectrogram_extractor.stft.conv_real.weight; null when absent or of another shape.</param>
/// <param name="StftImagMaxAbsDiff">The same for conv_imag.weight.</param>
/// <param name="MelMaxAbsDiff">max |checkpoint - computed| over logmel_extractor.melW; null when absent or of another shape.</param>
/// <param name="MelFiltersMatchRate">A common sample rate whose filters (other options unchanged) match the checkpoint's melW, when one does.</param>
/// <param name="Matches">True when every buffer present matches within <see cref="FrontEndCheck.Tolerance"/>.</param>
/// <param name="Warning">A sentence for the user when anything differs; null when all present buffers match.</param>
public sealed record FrontEndComparison(
    double? StftRealMaxAbsDiff,
    double? StftImagMaxAbsDiff,
    double? MelMaxAbsDiff,
    int? MelFiltersMatchRate,
    bool Matches,
    string? Warning);

/// <summary>
/// Compares a PANNs/msclap checkpoint's STFT kernels (torchlibrosa: conv_real[k,0,n] =
/// cos(2*pi*n*k/N)*hann(n), conv_imag = -sin(...)*hann(n), shape [N/2+1, 1, N]) and mel filters
/// (melW, [N/2+1, mels]) with those for the configured options. Cnn14_mAP=0.431.pth holds 32 kHz
/// filters, so running it at 44.1 kHz (the paper's recipe) mixes two rates unless told.
/// </summary>
public static class FrontEndCheck
{
    /// <summary>Largest difference still counted as equal (float32 storage of double-computed values).</summary>
    public const double Tolerance = 1e-5;

    private static readonly int[] CommonRates = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

    public static FrontEndComparison Compare(LogMelOptions options, float[]? convReal, int[]? convRealShape,
        float[]? convImag, float[]? melW, int[]? melWShape)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var problems = new List<string>();
        int n = options.WindowSize, bins = options.FftBins;
        int[] kernelShape = [bins, 1, n];

        double? re = null, im = null, mel = null;
        int? matchRate = null;
        if (convReal is not null || convImag is not null)
        {
            int[] shape = convRealShape ?? [convReal?.Length ?? convImag!.Length];
            if (!shape.SequenceEqual(kernelShape) || (convReal is not null && convReal.Length != bins * n) || (convImag is not null && convImag.Length != bins * n))
                problems.Add($"its STFT kernels have shape [{string.Join(", ", shape)}], expected [{string.Join(", ", kernelShape)}] for window {n}");
            else
            {
                var (cr, ci) = StftKernels(n);
                if (convReal is not null) re = MaxAbsDiff(convReal, cr);
                if (convImag is not null) im = MaxAbsDiff(convImag, ci);
                if (re > Tolerance || im > Tolerance)
                    problems.Add($"its STFT kernels differ from a periodic Hann DFT of size {n} (max abs diff real {re:G3}, imag {im:G3})");
            }
        }
        if (melW is not null)
        {
            int[] shape = melWShape ?? [melW.Length];
            if (!shape.SequenceEqual([bins, options.MelBins]) || melW.Length != bins * options.MelBins)
                problems.Add($"its mel filters (logmel_extractor.melW) have shape [{string.Join(", ", shape)}], expected [{bins}, {options.MelBins}]");
            else
            {
                mel = MaxAbsDiff(melW, MelFilterBank.Create(options));
                if (mel > Tolerance)
                {
                    foreach (int rate in CommonRates)
                    {
                        if (rate == options.SampleRate || options.FMax > rate / 2.0) continue;
                        if (MaxAbsDiff(melW, MelFilterBank.Create(options with { SampleRate = rate })) <= Tolerance) { matchRate = rate; break; }
                    }
                    problems.Add($"its mel filters differ from those for {options.SampleRate} Hz (max abs diff {mel:G3})"
                                 + (matchRate is int r ? $"; they are the filters for {r} Hz" : ""));
                }
            }
        }
        string? warning = problems.Count == 0 ? null
            : "The checkpoint's front-end does not match the configured one (" + options.SampleRate + " Hz, window " + n + ", "
              + options.MelBins + " mels, " + options.FMin + "-" + options.FMax + " Hz): " + string.Join("; ", problems)
              + ". Use --mel-filters checkpoint to run with the checkpoint's filters, or set the sample rate it was trained at.";
        return new FrontEndComparison(re, im, mel, matchRate, problems.Count == 0, warning);
    }

    /// <summary>torchlibrosa's Conv1d DFT kernels, each [N/2+1, 1, N] row-major.</summary>
    public static (float[] Real, float[] Imag) StftKernels(int n)
    {
        Guard.Setting(n >= 2, $"window size must be at least 2, got {n}");
        int bins = n / 2 + 1;
        var re = new float[bins * n];
        var im = new float[bins * n];
        for (int k = 0; k < bins; k++)
            for (int t = 0; t < n; t++)
            {
                double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * t / n); // periodic Hann
                double a = 2 * Math.PI * (((long)t * k) % n) / n;     // reduce n*k mod N for accuracy
                re[k * n + t] = (float)(Math.Cos(a) * w);
                im[k * n + t] = (float)(-Math.Sin(a) * w);
            }
        return (re, im);
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN propagates as "different"
        }
        return m;
    }
}
