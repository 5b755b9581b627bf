using ClapAudit.Audio;
using ClapAudit.Common;

namespace ClapAudit.Tests.Audio;

public class AudioPreprocessorTests
{
    private static readonly AudioPreprocessing Small = new() { SampleRate = 8000, DurationSeconds = 0.5, Normalize = false };

    private static DecodedAudio Ramp(int frames, int rate = 8000, int channels = 1) =>
        new(Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, frames).Select(i => (c + 1) * (i + 1) / 100000f).ToArray()).ToArray(), rate);

    [Fact]
    public void RandomCropIsDeterministicBySeedAndVariesAcrossSeeds()
    {
        var audio = Ramp(40000);
        var a = AudioPreprocessor.Prepare(audio, Small, null, new Random(7), "ramp");
        var b = AudioPreprocessor.Prepare(audio, Small, null, new Random(7), "ramp");
        var c = AudioPreprocessor.Prepare(audio, Small, null, new Random(8), "ramp");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(4000, a.Length);
        // A contiguous segment of the ramp: consecutive differences are one step.
        for (int i = 1; i < a.Length; i++) Assert.Equal(1 / 100000f, a[i] - a[i - 1], 6);
    }

    [Fact]
    public void OffsetAndNoRngSelectTheSegment()
    {
        var audio = Ramp(40000);
        var atOffset = AudioPreprocessor.Prepare(audio, Small, 1.0, new Random(1), "ramp");
        Assert.Equal(audio.Channels[0][8000], atOffset[0]);
        var atZero = AudioPreprocessor.Prepare(audio, Small, null, null, "ramp");
        Assert.Equal(audio.Channels[0][..4000], atZero);
    }

    [Fact]
    public void ZeroPaddingAppendsZeros()
    {
        var audio = Ramp(1000);
        var y = AudioPreprocessor.Prepare(audio, Small, null, null, "short");
        Assert.Equal(4000, y.Length);
        Assert.Equal(audio.Channels[0], y[..1000]);
        Assert.All(y[1000..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void RepeatPaddingTilesTheClipLikeMsclap()
    {
        var audio = Ramp(1500);
        var y = AudioPreprocessor.Prepare(audio, Small with { Pad = PadMode.Repeat }, null, null, "short");
        Assert.Equal(4000, y.Length);
        for (int i = 0; i < 4000; i++) Assert.Equal(audio.Channels[0][i % 1500], y[i]);
    }

    [Fact]
    public void NormalisedClipHasMean0AndPopulationVariance1()
    {
        var rng = new Random(3);
        var audio = new DecodedAudio([Enumerable.Range(0, 5000).Select(_ => (float)(0.3 + 0.1 * rng.NextDouble())).ToArray()], 8000);
        var y = AudioPreprocessor.Prepare(audio, Small with { Normalize = true }, null, null, "noise");
        double mean = y.Average(v => (double)v);
        double var = y.Sum(v => (v - mean) * (v - mean)) / y.Length;
        Assert.True(Math.Abs(mean) < 1e-5, $"mean {mean}");
        Assert.True(Math.Abs(var - 1) < 1e-5, $"variance {var}");
    }

    [Fact]
    public void SilentClipStaysZerosWithoutNaN()
    {
        var audio = new DecodedAudio([new float[9000]], 8000);
        var y = AudioPreprocessor.Prepare(audio, Small with { Normalize = true }, null, null, "silence");
        Assert.All(y, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MeanModeAveragesAndConcatModePutsChannelsEndToEnd()
    {
        var audio = Ramp(1000, channels: 2); // channel 1 is twice channel 0
        var mean = AudioPreprocessor.Prepare(audio, Small, null, null, "st");
        for (int i = 0; i < 1000; i++) Assert.Equal(1.5f * audio.Channels[0][i], mean[i], 6);
        var concat = AudioPreprocessor.Prepare(audio, Small with { Channels = ChannelMode.Concat }, null, null, "st");
        Assert.Equal(audio.Channels[0], concat[..1000]);
        Assert.Equal(audio.Channels[1], concat[1000..2000]);
        Assert.All(concat[2000..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ResamplesToTheTargetRateBeforeCropping()
    {
        var audio = new DecodedAudio([new float[16000]], 16000); // 1 s
        var settings = new AudioPreprocessing { SampleRate = 44100, DurationSeconds = 2, Normalize = false };
        var y = AudioPreprocessor.Prepare(audio, settings, null, null, "one-second");
        Assert.Equal(88200, y.Length);
    }

    [Fact]
    public void NaNSampleIsNonFiniteNamingTheFile()
    {
        var audio = Ramp(1000);
        audio.Channels[0][123] = float.NaN;
        var e = Assert.Throws<ClapAuditException>(() => AudioPreprocessor.Prepare(audio, Small, null, null, "clips/bad.wav"));
        Assert.Equal(ErrorKind.NonFinite, e.Kind);
        Assert.Contains("clips/bad.wav", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void LoadReadsDecodesAndPreparesAFile()
    {
        var y = AudioPreprocessor.Load(Fixtures.Path("audio", "wav_s16.wav"), new AudioPreprocessing { SampleRate = 8000, DurationSeconds = 0.2, Normalize = false });
        var stereo = NpyArray.Read(Fixtures.Path("audio", "wav_s16.wav.npy")).ToFloatArray(); // (2, 800)
        Assert.Equal(1600, y.Length);
        for (int i = 0; i < 800; i++) Assert.Equal((float)((stereo[i] + (double)stereo[800 + i]) / 2), y[i]);
        Assert.All(y[800..], v => Assert.Equal(0f, v));
    }

    [Fact]
    public void OffsetPastTheEndIsAnInvalidSetting()
    {
        var e = Assert.Throws<ClapAuditException>(() => AudioPreprocessor.Prepare(Ramp(1000), Small, 5.0, null, "ramp"));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }

    [Fact]
    public void NaNInAFloatWavFileIsNonFiniteNamingTheFile()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("nan.wav");
        float[] samples = [0.1f, float.NaN, -0.2f, 0.3f];
        using (var w = new BinaryWriter(File.Create(path)))
        {
            w.Write("RIFF"u8); w.Write(36 + samples.Length * 4); w.Write("WAVE"u8);
            w.Write("fmt "u8); w.Write(16); w.Write((short)3); w.Write((short)1); w.Write(8000); w.Write(32000); w.Write((short)4); w.Write((short)32);
            w.Write("data"u8); w.Write(samples.Length * 4);
            foreach (var v in samples) w.Write(v);
        }
        var e = Assert.Throws<ClapAuditException>(() => AudioPreprocessor.Load(path, Small));
        Assert.Equal(ErrorKind.NonFinite, e.Kind);
        Assert.Contains(path, e.Message);
        Assert.Contains("frame 1", e.Message);
    }
}
