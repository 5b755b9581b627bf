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
    public static float[] Resample(ReadOnlySpan<float> x, int fromRate, int toRate, long start, long count)
    {
        long full = OutputLength(x.Length, fromRate, toRate);
        if (start < 0 || count < 0 || start + count > full)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"span [{start}, {start + count}) is outside the {full} output samples");
        if (count > int.MaxValue)
            throw new ClapAuditException(ErrorKind.InvalidSetting,
                $"resampling {x.Length} samples from {fromRate} Hz to {toRate} Hz gives too many samples ({count})");
        int g = Gcd(fromRate, toRate);
        int up = toRate / g, down = fromRate / g;
        if (up == 1 && down == 1) return x.Slice((int)start, (int)count).ToArray();
        int n = x.Length;
        double[] h = Filter(up, down, out int half);
        var y = new float[count];
        int taps = h.Length;
        // Polyphase: for output m, t = m*down + half; i runs over x indices with 0 <= t - i*up < taps.
        for (int j = 0; j < y.Length; j++)
        {
            long m = start + j;
            long t = m * down + half;
            long iMax = Math.Min(n - 1, t / up);                 // needs t - i*up >= 0
            long lo = t - taps + 1;                              // needs t - i*up <= taps-1
            long iMin = lo <= 0 ? 0 : (lo + up - 1) / up;
            double acc = 0;
            for (long i = iMax, k = t - iMax * up; i >= iMin; i--, k += up) acc += x[(int)i] * h[k];
            y[j] = (float)acc;
        }
        return y;
    }

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
