using ClapAudit.Audio;
using ClapAudit.Common;

namespace ClapAudit.Tests.Audio;

/// <summary>Resampler against scipy.signal.resample_poly (fixtures: tools/make_audio_fixtures.py).</summary>
public class ResamplerTests
{
    [Theory]
    [InlineData("sweep", 16000, 44100)]
    [InlineData("noise", 16000, 44100)]
    [InlineData("sweep", 22050, 44100)]
    [InlineData("noise", 22050, 44100)]
    [InlineData("sweep", 32000, 44100)]
    [InlineData("noise", 32000, 44100)]
    [InlineData("sweep", 48000, 44100)]
    [InlineData("noise", 48000, 44100)]
    [InlineData("sweep", 44100, 16000)]
    [InlineData("noise", 44100, 16000)]
    [InlineData("sweep", 44100, 32000)]
    [InlineData("noise", 44100, 32000)]
    public void EqualsScipyResamplePoly(string kind, int from, int to)
    {
        string stem = $"resample_{kind}_{from}_{to}";
        var x = NpyArray.Read(Fixtures.Path("audio", stem + ".in.npy")).ToFloatArray();
        var expected = NpyArray.Read(Fixtures.Path("audio", stem + ".out.npy")).ToDoubleArray();
        var y = Resampler.Resample(x, from, to);
        Assert.Equal(expected.Length, y.Length);
        double ss = 0, max = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double d = y[i] - expected[i];
            ss += d * d;
            max = Math.Max(max, Math.Abs(d));
        }
        double rms = Math.Sqrt(ss / y.Length);
        Assert.True(rms < 1e-3, $"{stem}: RMS {rms}");
        // The same filter and alignment as SciPy: only float32 output rounding remains.
        Assert.True(max < 1e-6, $"{stem}: max abs {max}");
    }

    [Fact]
    public void SameRateReturnsACopy()
    {
        float[] x = [0.1f, -0.2f, 0.3f];
        var y = Resampler.Resample(x, 44100, 44100);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void OutputLengthIsCeilOfNUpOverDown()
    {
        Assert.Equal(44100, Resampler.Resample(new float[48000], 48000, 44100).Length);
        Assert.Equal((int)Math.Ceiling(1001 * 441 / 160.0), Resampler.Resample(new float[1001], 16000, 44100).Length);
    }

    [Fact]
    public void NonPositiveRateIsAnInvalidSetting()
    {
        var e = Assert.Throws<ClapAuditException>(() => Resampler.Resample(new float[10], 0, 44100));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }

    [Theory]
    [InlineData(16000, 44100)]
    [InlineData(44100, 32000)]
    [InlineData(22050, 22050)]
    public void ASpanAloneEqualsTheSliceOfTheWhole(int from, int to)
    {
        var rng = new Random(8);
        var x = new float[3001];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
        var whole = Resampler.Resample(x, from, to);
        Assert.Equal(whole.Length, Resampler.OutputLength(x.Length, from, to));
        foreach (var (start, count) in new[] { (0, 10), (777, 1000), (whole.Length - 5, 5), (0, whole.Length) })
            Assert.Equal(whole.AsSpan(start, count).ToArray(), Resampler.Resample(x, from, to, start, count));
    }

    [Fact]
    public void TheCropOfAPreparedClipIsTheCropOfTheWholeResampledClip()
    {
        var rng = new Random(9);
        var ch = new float[48000];
        for (int i = 0; i < ch.Length; i++) ch[i] = (float)Math.Sin(i * 0.01) + (float)(0.1 * rng.NextDouble());
        var settings = new AudioPreprocessing { SampleRate = 32000, DurationSeconds = 0.25, Normalize = false };
        var whole = Resampler.Resample(ch, 48000, 32000);
        var y = AudioPreprocessor.Prepare(new DecodedAudio([ch], 48000), settings, 0.5, null, "clip");
        Assert.Equal(whole.AsSpan(16000, 8000).ToArray(), y);
    }

    [Theory]
    [InlineData(ChannelMode.Mean)]
    [InlineData(ChannelMode.Concat)]
    public void ACropOfALongLowRateFileResamplesOnlyTheCrop(ChannelMode channels)
    {
        // 10 minutes at 1 kHz (the lowest rate accepted), stereo 16-bit: a 2.4 MB WAV. Resampled whole to 48 kHz
        // it would be 28.8 million samples per channel (115 MB of floats); the 5 s crop is 240,000 (0.96 MB).
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("long-1khz.wav");
        const int rate = 1000, frames = 600 * rate;
        var rng = new Random(4);
        var left = new float[frames];
        var right = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            left[i] = (float)(0.5 * Math.Sin(i * 0.3) + 0.1 * (rng.NextDouble() - 0.5));
            right[i] = (float)(0.5 * Math.Cos(i * 0.2));
        }
        WriteStereoWav(path, left, right, rate);
        var settings = new AudioPreprocessing { SampleRate = 48000, DurationSeconds = 5, Channels = channels, Normalize = false };

        _ = AudioPreprocessor.Load(path, settings, 300.0); // warm-up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var crop = AudioPreprocessor.Load(path, settings, 300.0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(240_000, crop.Length);
        // What is allocated: the resampled crop and the output (0.96 MB each; Concat adds the joined segment), the
        // filter and the 5 s of source the crop reads, decoded alone (see WindowDecodeTests): measured 2.2 MB (Mean)
        // and 3.1 MB (Concat), under 4 MB. The whole resampling alone would allocate 115 MB or more; before the
        // window decode, the file and its decode added 9.6 MB (the bound was 16 MB).
        Assert.True(allocated < 4_000_000, $"{allocated:N0} bytes allocated for a 5 s crop");
        // The crop is the right one: its samples equal the resampling of the 5 s (plus the filter's reach) around it.
        int from = 300 * rate - 200, count = 5 * rate + 400;
        float[] source = channels == ChannelMode.Concat ? left : left.Zip(right, (a, b) => (float)((a + (double)b) / 2)).ToArray();
        var local = Resampler.Resample(source.AsSpan(from, count), rate, 48000);
        for (int i = 0; i < crop.Length; i += 997) // to the file's 16-bit quantisation
            Assert.True(Math.Abs(local[200 * 48 + i] - crop[i]) < 2e-4, $"sample {i}: {crop[i]} vs {local[200 * 48 + i]}");
    }

    private static void WriteStereoWav(string path, float[] left, float[] right, int rate)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("RIFF"u8); w.Write(36 + left.Length * 4); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)2); w.Write(rate); w.Write(rate * 4);
        w.Write((short)4); w.Write((short)16);
        w.Write("data"u8); w.Write(left.Length * 4);
        for (int i = 0; i < left.Length; i++)
        {
            w.Write((short)Math.Round(left[i] * 32767));
            w.Write((short)Math.Round(right[i] * 32767));
        }
    }
}
