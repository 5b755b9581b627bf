namespace ClapAudit.Synthetic;

/// <summary>
/// Renders one clip of a class: the source signal at the class's pitch (with per-clip jitter), gated
/// by its rhythm, shaped by its envelope, buried in strong coloured background noise, with a random
/// gain; 16-bit PCM. O(samples) per clip; all randomness comes from the clip's own stream.
/// </summary>
internal static class ClipRenderer
{
    public static short[] Render(SoundClass c, SyntheticWorldOptions o, WorldRandom rng)
    {
        int n = o.SamplesPerClip;
        double sr = o.SampleRate;
        double f = c.PitchHz * Math.Exp(Math.Clamp(rng.Gaussian(), -2, 2) * o.PitchJitter);
        var x = new double[n];
        Source(c.Source, f, sr, rng, x);

        double[] gate = Gate(c.Rhythm, sr, n, rng);
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / n;
            double env = c.Envelope switch
            {
                Envelope.Swelling => 0.15 + 0.85 * t,
                Envelope.Fading => 1.0 - 0.85 * t,
                _ => 1.0,
            };
            x[i] *= gate[i] * env;
        }

        double signalStd = Std(x);
        double[] noise = Noise(n, rng);
        double noiseScale = signalStd * rng.Uniform(o.MinNoiseToSignal, o.MaxNoiseToSignal);
        double peak = 0;
        for (int i = 0; i < n; i++)
        {
            x[i] += noise[i] * noiseScale;
            peak = Math.Max(peak, Math.Abs(x[i]));
        }

        double gain = rng.Uniform(0.25, 0.9) / Math.Max(peak, 1e-12);
        var pcm = new short[n];
        for (int i = 0; i < n; i++) pcm[i] = (short)Math.Round(Math.Clamp(x[i] * gain, -1.0, 1.0) * 32767.0);
        return pcm;
    }

    private static void Source(SourceKind kind, double f, double sr, WorldRandom rng, double[] x)
    {
        int n = x.Length;
        double nyquist = 0.45 * sr;
        double phase = rng.Uniform(0, 2 * Math.PI);
        switch (kind)
        {
            case SourceKind.Tone:
                for (int i = 0; i < n; i++) x[i] = Math.Sin(phase + 2 * Math.PI * f * i / sr);
                break;
            case SourceKind.Hiss:
                BandNoise(f, 1.5, sr, rng, x);
                break;
            case SourceKind.Hum:
                // A low fundamental with a few strong harmonics: energy centred near the band.
                Harmonics(f / 2, 4, 2.0, phase, sr, nyquist, x);
                break;
            case SourceKind.Buzz:
                // Sawtooth-like: many harmonics of a low fundamental, harsh and broadband.
                Harmonics(f / 2, 24, 1.0, phase, sr, nyquist, x);
                break;
            case SourceKind.RisingSweep:
            case SourceKind.FallingSweep:
            {
                // Exponential glides from f/2 to 2f (or back), repeating every ~0.25 s, phase-continuous.
                double period = 0.25 * rng.Uniform(0.85, 1.15) * sr;
                double offset = rng.Uniform(0, period);
                for (int i = 0; i < n; i++)
                {
                    double u = ((i + offset) % period) / period;
                    if (kind == SourceKind.FallingSweep) u = 1 - u;
                    phase += 2 * Math.PI * (f / 2) * Math.Pow(4, u) / sr;
                    x[i] = Math.Sin(phase);
                }
                break;
            }
            case SourceKind.Warble:
            {
                // Vibrato of +-12% at about 8 Hz.
                double rate = rng.Uniform(6.5, 9.5);
                double vPhase = rng.Uniform(0, 2 * Math.PI);
                for (int i = 0; i < n; i++)
                {
                    phase += 2 * Math.PI * f * (1 + 0.12 * Math.Sin(vPhase + 2 * Math.PI * rate * i / sr)) / sr;
                    x[i] = Math.Sin(phase);
                }
                break;
            }
            case SourceKind.Clicks:
            {
                // A train of short ringing clicks (~30 per second) resonating at the band's frequency.
                double interval = sr / rng.Uniform(25, 35);
                double tau = 0.003 * sr;
                int ring = (int)(tau * 6);
                for (double start = rng.Uniform(0, interval); start < n; start += interval * rng.Uniform(0.8, 1.2))
                {
                    int s0 = (int)start;
                    double amp = rng.Uniform(0.6, 1.0);
                    for (int k = 0; k < ring && s0 + k < n; k++)
                        x[s0 + k] += amp * Math.Exp(-k / tau) * Math.Sin(2 * Math.PI * f * k / sr);
                }
                break;
            }
            case SourceKind.Chime:
            {
                // Inharmonic partials of a bell.
                double[] ratios = [1.0, 2.76, 5.40];
                double[] amps = [1.0, 0.6, 0.35];
                for (int p = 0; p < ratios.Length; p++)
                {
                    if (f * ratios[p] > nyquist) continue;
                    double ph = rng.Uniform(0, 2 * Math.PI);
                    for (int i = 0; i < n; i++) x[i] += amps[p] * Math.Sin(ph + 2 * Math.PI * f * ratios[p] * i / sr);
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static void Harmonics(double f0, int count, double rolloff, double phase, double sr, double nyquist, double[] x)
    {
        for (int k = 1; k <= count && f0 * k < nyquist; k++)
        {
            // sin(k*phase + w*i) by rotating a phasor: four multiplications a sample instead of a Math.Sin.
            double a = 1.0 / Math.Pow(k, rolloff), w = 2 * Math.PI * f0 * k / sr;
            double cw = Math.Cos(w), sw = Math.Sin(w), re = Math.Cos(k * phase), im = Math.Sin(k * phase);
            for (int i = 0; i < x.Length; i++)
            {
                x[i] += a * im;
                double r = re * cw - im * sw;
                im = re * sw + im * cw;
                re = r;
            }
        }
    }

    /// <summary>White noise through an RBJ band-pass biquad (0 dB peak) at <paramref name="f"/>.</summary>
    private static void BandNoise(double f, double q, double sr, WorldRandom rng, double[] x)
    {
        double w0 = 2 * Math.PI * f / sr, alpha = Math.Sin(w0) / (2 * q), a0 = 1 + alpha;
        double b0 = alpha / a0, b2 = -alpha / a0, a1 = -2 * Math.Cos(w0) / a0, a2 = (1 - alpha) / a0;
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double v = rng.Gaussian();
            double y = b0 * v + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1; x1 = v; y2 = y1; y1 = y;
            x[i] = y;
        }
    }

    /// <summary>On/off gating with soft edges; duty 0.5 for the pulsing rhythms.</summary>
    private static double[] Gate(Rhythm rhythm, double sr, int n, WorldRandom rng)
    {
        var g = new double[n];
        if (rhythm == Rhythm.Steady) { Array.Fill(g, 1.0); return g; }
        double jitter = rng.Uniform(0.9, 1.1);
        double phase = rng.NextDouble();
        for (int i = 0; i < n; i++)
        {
            double t = i / sr;
            double rate = rhythm switch
            {
                Rhythm.SlowPulsing => 2.0,
                Rhythm.FastPulsing => 6.0,
                // 1.5 Hz rising to 9 Hz over one second, whatever the clip length.
                _ => 1.5 + 7.5 * Math.Min(t, 1.0),
            } * jitter;
            phase += rate / sr;
            g[i] = 1.0 / (1.0 + Math.Exp(-12.0 * Math.Cos(2 * Math.PI * phase)));
        }
        return g;
    }

    /// <summary>Unit-variance background: white and brown (leaky-integrated) noise in a random mix.</summary>
    private static double[] Noise(int n, WorldRandom rng)
    {
        var white = new double[n];
        var brown = new double[n];
        double b = 0;
        for (int i = 0; i < n; i++)
        {
            white[i] = rng.Gaussian();
            b = 0.98 * b + rng.Gaussian();
            brown[i] = b;
        }
        double ws = Std(white), bs = Std(brown), mix = rng.NextDouble();
        var noise = new double[n];
        for (int i = 0; i < n; i++) noise[i] = Math.Sqrt(1 - mix) * white[i] / ws + Math.Sqrt(mix) * brown[i] / bs;
        return noise;
    }

    private static double Std(double[] x)
    {
        double mean = 0;
        foreach (double v in x) mean += v;
        mean /= x.Length;
        double ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / x.Length);
    }
}
