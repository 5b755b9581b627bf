using System.Numerics.Tensors;
using ClapAudit.Common;

namespace ClapAudit.Audio;

/// <summary>
/// Band-limited polyphase resampling, the same computation as SciPy's
/// <c>scipy.signal.resample_poly(x, up, down)</c> with its defaults: up/down reduced by their gcd,
/// a linear-phase FIR low-pass from <c>firwin(2*half+1, 1/max(up,down), window=('kaiser', 5.0))</c>
/// scaled by up, with half = 10*max(up,down), zero padding outside the signal, and output length
/// ceil(n*up/down). Output sample m is sum_i x[i]*h[m*down + half - i*up]. Accumulates in double.
/// Cost: O(n_out * (2*half+1)/up) multiply-adds, i.e. about 20*max(up,down)/up taps per output sample.
/// </summary>
public static class Resampler
{
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate) =>
        Resample(x, fromRate, toRate, 0, OutputLength(x.Length, fromRate, toRate));

    /// <summary>
    /// ceil(n*up/down), up/down reduced: the length <see cref="Resample(ReadOnlySpan{float}, int, int)"/> gives.
    /// </summary>
    public static long OutputLength(long n, int fromRate, int toRate)
    {
        Guard.Positive(fromRate);
        Guard.Positive(toRate);
        int g = Gcd(fromRate, toRate);
        long up = toRate / g, down = fromRate / g;
        return (n * up + down - 1) / down;
    }

    /// <summary>
    /// Output samples [start, start + count) of the full resampling, computed alone (equal to a slice of it):
    /// a crop of a long clip costs the crop, not the clip.
    /// </summary>
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate, long start, long count) =>
        Resample(x, 0, x.Length, fromRate, toRate, start, count);

    /// <summary>
    /// The input samples that output samples [start, start + count) of resampling an <paramref name="n"/>-sample
    /// signal read: the filter's support around the span, clipped to [0, n) (outside it the signal is zero).
    /// Empty when the span is. A window of the input that covers this range resamples the span exactly.
    /// </summary>
    public static FrameRange InputWindow(long n, int fromRate, int toRate, long start, long count)
    {
        Guard.Positive(fromRate);
        Guard.Positive(toRate);
        if (count <= 0 || n <= 0) return FrameRange.None;
        int g = Gcd(fromRate, toRate);
        int up = toRate / g, down = fromRate / g;
        if (up == 1 && down == 1) return new FrameRange(start, count).ClipTo(n);
        int half = 10 * Math.Max(up, down), taps = 2 * half + 1;
        long tFirst = start * down + half, tLast = (start + count - 1) * down + half;
        long first = Math.Max(0, CeilDiv(tFirst - taps + 1, up)), last = Math.Min(n - 1, tLast / up);
        return first > last ? FrameRange.None : new FrameRange(first, last - first + 1);
    }

    /// <summary>
    /// Output samples [start, start + count) of resampling an <paramref name="n"/>-sample signal of which only
    /// <paramref name="window"/>, its samples [<paramref name="windowStart"/>, windowStart + window.Length), is
    /// at hand. The window must cover <see cref="InputWindow"/> of the span; the result then equals, bit for bit,
    /// the span of resampling the whole signal (the same samples in the same sums).
    /// </summary>
    public static float[] Resample(ReadOnlySpan<float> window, long windowStart, long n, int fromRate, int toRate,
        long start, long count)
    {
        long full = OutputLength(n, fromRate, toRate);
        if (start < 0 || count < 0 || start + count > full)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"span [{start}, {start + count}) is outside the {full} output samples");
        if (count > int.MaxValue)
            throw new ClapAuditException(ErrorKind.InvalidSetting,
                $"resampling {n} samples from {fromRate} Hz to {toRate} Hz gives too many samples ({count})");
        var needed = InputWindow(n, fromRate, toRate, start, count);
        if (needed.Count > 0 && (needed.Start < windowStart || needed.End > windowStart + window.Length))
            throw new ArgumentOutOfRangeException(nameof(window),
                $"input window [{windowStart}, {windowStart + window.Length}) does not cover the samples " +
                $"[{needed.Start}, {needed.End}) that output span [{start}, {start + count}) needs");
        int g = Gcd(fromRate, toRate);
        int up = toRate / g, down = fromRate / g;
        if (up == 1 && down == 1) return window.Slice((int)(start - windowStart), (int)count).ToArray();
        var y = new float[count];
        if (count == 0 || n == 0) return y;
        double[] h = Filter(up, down, out int half);
        int taps = h.Length;
        // Output m is sum_i x[i] h[t - i*up] with t = m*down + half. All those taps share the phase p = t mod up,
        // so with the phase's taps stored reversed the sum is one contiguous dot product, vectorised by
        // TensorPrimitives (the strided scalar loop it replaces was 4-5x slower).
        var phases = new double[up][];
        for (int p = 0; p < up; p++)
        {
            int length = p < taps ? (taps - 1 - p) / up + 1 : 0;
            var reversed = new double[length];
            for (int q = 0; q < length; q++) reversed[length - 1 - q] = h[p + (long)up * q];
            phases[p] = reversed;
        }
        // Only the input the span needs is converted to double: xd is the same array whether the caller holds the
        // whole signal or a window of it, so the dot products below are the same and so is every output bit.
        long inFirst = needed.Start;
        var xd = new double[needed.Count];
        for (int i = 0; i < xd.Length; i++) xd[i] = window[(int)(inFirst - windowStart + i)];
        for (int j = 0; j < y.Length; j++)
        {
            long t = (start + j) * down + half;
            long q = t / up;
            long iMax = Math.Min(n - 1, q);                          // needs t - i*up >= 0
            long iMin = Math.Max(0, CeilDiv(t - taps + 1, up));      // needs t - i*up <= taps-1
            if (iMax < iMin) continue;
            var reversed = phases[(int)(t - q * up)];
            int length = (int)(iMax - iMin + 1);
            y[j] = (float)TensorPrimitives.Dot(
                xd.AsSpan((int)(iMin - inFirst), length), reversed.AsSpan((int)(iMin + reversed.Length - 1 - q), length));
        }
        return y;
    }

    private static long CeilDiv(long a, long b) => a <= 0 ? -(-a / b) : (a + b - 1) / b;

    /// <summary>SciPy's filter for reduced factors up/down (firwin with a Kaiser window, beta 5, times up).</summary>
    internal static double[] Filter(int up, int down, out int half)
    {
        int maxRate = Math.Max(up, down);
        half = 10 * maxRate;
        int numTaps = 2 * half + 1;
        double cutoff = 1.0 / maxRate;
        double alpha = 0.5 * (numTaps - 1);
        var h = new double[numTaps];
        double beta = 5.0, i0Beta = BesselI0(beta), sum = 0;
        for (int i = 0; i < numTaps; i++)
        {
            double m = i - alpha;
            double sinc = m == 0 ? 1 : Math.Sin(Math.PI * cutoff * m) / (Math.PI * cutoff * m);
            double r = 2.0 * i / (numTaps - 1) - 1.0;
            double w = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta; // symmetric Kaiser
            h[i] = cutoff * sinc * w;
            sum += h[i];
        }
        for (int i = 0; i < numTaps; i++) h[i] = h[i] / sum * up; // firwin's unit DC gain, then *up
        return h;
    }

    private static double BesselI0(double x)
    {
        double term = 1, sum = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
