using System.Diagnostics;
using System.Globalization;
using ClapAudit.Audio;
using ClapAudit.Audio.Fingerprints;

namespace ClapAudit.Benchmarks;

/// <summary>
/// Stage timing of one landmark fingerprint (the cost behind <c>data overlap --content</c>), single-threaded:
/// <c>fingerprint [SOURCE_RATE=44100] [SECONDS=10] [REPEATS=20]</c> prints the median milliseconds of resampling,
/// the dB spectrogram and the peak search for one recording, and the real-time factor of the three together.
/// </summary>
public static class FingerprintHarness
{
    public static int Run(string[] args)
    {
        if (args.Length > 1 && File.Exists(args[1])) return RunFile(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
        int rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 44100;
        double seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 10;
        int repeats = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        TorchSharp.torch.set_num_threads(1);
        var rng = new Random(1);
        var x = new float[(int)(rate * seconds)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.3 * Math.Sin(i * 0.05) + 0.3 * Math.Sin(i * 0.0131 * (1 + i % 7)) + 0.1 * (rng.NextDouble() - 0.5));
        var o = new FingerprintOptions();
        var (resample, spectrogram, peaks) = (new List<double>(), new List<double>(), new List<double>());
        int found = 0;
        for (int r = 0; r < repeats + 2; r++)
        {
            var clock = Stopwatch.StartNew();
            var y = Resampler.Resample(x, rate, o.SampleRate);
            double a = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var db = LandmarkFingerprinter.SpectrogramDb(y, o, out int frames);
            double b = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            found = LandmarkFingerprinter.FindPeaks(db, frames, o.FftSize / 2 + 1, o).Length;
            double c = clock.Elapsed.TotalMilliseconds;
            if (r < 2) continue; // warm-up: JIT and libtorch's first FFT plan
            resample.Add(a);
            spectrogram.Add(b);
            peaks.Add(c);
        }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        double total = Median(resample) + Median(spectrogram) + Median(peaks);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"source_rate={rate} seconds={seconds} resample_ms={Median(resample):F2} spectrogram_ms={Median(spectrogram):F2} " +
            $"peaks_ms={Median(peaks):F2} total_ms={total:F2} realtime_x={seconds * 1000 / total:F0} peaks={found}"));
        return 0;
    }

    /// <summary><c>fingerprint FILE [REPEATS=20]</c>: the median milliseconds of decoding the file and of its whole
    /// fingerprint (decode included), one thread, after two warm-up runs.</summary>
    private static int RunFile(string path, int repeats)
    {
        TorchSharp.torch.set_num_threads(1);
        var o = new FingerprintOptions();
        var (decode, whole) = (new List<double>(), new List<double>());
        for (int r = 0; r < repeats + 2; r++)
        {
            var clock = Stopwatch.StartNew();
            var audio = AudioDecoder.Decode(path);
            double a = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            LandmarkFingerprinter.ComputeFile(path, o);
            double b = clock.Elapsed.TotalMilliseconds;
            if (r < 2) continue;
            decode.Add(a);
            whole.Add(b);
            GC.KeepAlive(audio);
        }
        static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"file={Path.GetFileName(path)} decode_ms={Median(decode):F2} fingerprint_with_decode_ms={Median(whole):F2}"));
        return 0;
    }
}
