using ClapAudit.Audio;
using ClapAudit.Common;

namespace ClapAudit.Tests.Audio;

/// <summary>Decoders against soundfile/libsndfile and the PCM sources (fixtures: tools/make_audio_fixtures.py).</summary>
public class AudioDecoderTests
{
    private static string F(string name) => Fixtures.Path("audio", name);

    private static float[][] Planar(NpyArray a)
    {
        var v = a.ToFloatArray();
        int ch = a.Shape[0], n = a.Shape[1];
        return Enumerable.Range(0, ch).Select(c => v.AsSpan(c * n, n).ToArray()).ToArray();
    }

    [Theory]
    [InlineData("wav_u8.wav", 8000)]
    [InlineData("wav_s16.wav", 8000)]
    [InlineData("wav_s24.wav", 8000)]
    [InlineData("wav_s32.wav", 8000)]
    [InlineData("wav_f32.wav", 8000)]
    [InlineData("wav_f64.wav", 8000)]
    [InlineData("wavex_s24.wav", 8000)]
    [InlineData("wavex_f32.wav", 8000)]
    [InlineData("wavex_s16_mono.wav", 8000)]
    public void WavIsSampleExactAgainstSoundfile(string file, int rate)
    {
        var audio = AudioDecoder.Decode(F(file));
        var expected = Planar(NpyArray.Read(F(file + ".npy")));
        Assert.Equal(rate, audio.SampleRate);
        Assert.Equal(expected.Length, audio.ChannelCount);
        for (int c = 0; c < expected.Length; c++) Assert.Equal(expected[c], audio.Channels[c]);
    }

    [Theory]
    [InlineData("flac_sf_s16_stereo.flac", 16, 16000)]
    [InlineData("flac_sf_s24_mono.flac", 24, 22050)]
    [InlineData("flac_sf_s8_3ch.flac", 8, 8000)]
    [InlineData("flac_cli_s16_stereo_b1152.flac", 16, 44100)]
    [InlineData("flac_cli_s24_stereo_b4096_lax.flac", 24, 48000)]
    [InlineData("flac_cli_s32_mono.flac", 32, 16000)]
    [InlineData("flac_cli_s8_stereo_b192.flac", 8, 8000)]
    [InlineData("flac_cli_s16_6ch_fixed_b256.flac", 16, 16000)]
    [InlineData("flac_cli_s16_wasted.flac", 16, 16000)]
    [InlineData("flac_cli_s24_mono_rice2.flac", 24, 32000)]
    public void FlacIsSampleExactAgainstThePcmSource(string file, int bits, int rate)
    {
        var audio = AudioDecoder.Decode(F(file));
        var src = NpyArray.Read(F(file + ".npy"));
        var ints = src.ToInt64Array(file);
        int ch = src.Shape[0], n = src.Shape[1];
        Assert.Equal(rate, audio.SampleRate);
        Assert.Equal(ch, audio.ChannelCount);
        Assert.Equal(n, audio.Frames);
        double scale = 1.0 / (1L << (bits - 1));
        for (int c = 0; c < ch; c++)
            for (int i = 0; i < n; i++)
                if (audio.Channels[c][i] != (float)(ints[c * n + i] * scale))
                    Assert.Fail($"{file}: channel {c} sample {i}: got {audio.Channels[c][i]}, expected {(float)(ints[c * n + i] * scale)}");
    }

    [Fact]
    public void OggVorbisMatchesLibvorbisWithin1e5()
    {
        var audio = AudioDecoder.Decode(F("ogg_stereo.ogg"));
        var expected = Planar(NpyArray.Read(F("ogg_stereo.ogg.npy")));
        Assert.Equal(22050, audio.SampleRate);
        Assert.Equal(2, audio.ChannelCount);
        Assert.Equal(expected[0].Length, audio.Frames);
        double max = 0;
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < audio.Frames; i++) max = Math.Max(max, Math.Abs(audio.Channels[c][i] - expected[c][i]));
        Assert.True(max < 1e-5, $"max abs difference to libvorbis {max}"); // measured 4.8e-7
    }

    [Fact]
    public void Mp3MatchesMpg123AfterTheEncoderDelay()
    {
        var audio = AudioDecoder.Decode(F("mp3_mono.mp3"));
        var reference = NpyArray.Read(F("mp3_mono.mp3.npy")).ToFloatArray(); // libsndfile/mpg123, delay removed
        var source = NpyArray.Read(F("mp3_mono.source.npy")).ToFloatArray();
        Assert.Equal(44100, audio.SampleRate);
        Assert.Equal(1, audio.ChannelCount);
        var x = audio.Channels[0];
        // NLayer keeps the 529-sample decoder delay that mpg123 strips: find the lag, then compare sample by sample.
        int lag = BestLag(x, reference, 3000);
        int n = Math.Min(reference.Length, x.Length - lag);
        Assert.True(n > 40000, $"only {n} overlapping samples at lag {lag}");
        double maxDiff = 0;
        for (int i = 0; i < n; i++) maxDiff = Math.Max(maxDiff, Math.Abs(x[i + lag] - reference[i]));
        Assert.Equal(529, lag); // mpg123's decoder delay (GAPLESS_DELAY), which NLayer does not remove
        Assert.True(maxDiff < 1e-5, $"max abs difference to mpg123 {maxDiff} at lag {lag}"); // measured 1.1e-6
        Assert.True(Correlation(x.AsSpan(lag, n), source.AsSpan(0, n)) > 0.99);
    }

    /// <summary>The shift of <paramref name="x"/> against <paramref name="r"/> with the least squared difference over a window.</summary>
    private static int BestLag(float[] x, float[] r, int maxLag)
    {
        int best = 0;
        double bestErr = double.MaxValue;
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double err = 0;
            for (int i = 2000; i < 10000; i++) { double d = x[i + lag] - r[i]; err += d * d; }
            if (err < bestErr) { bestErr = err; best = lag; }
        }
        return best;
    }

    private static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }

    [Fact]
    public void ContentDecidesTheDecoderNotTheExtension()
    {
        using var tmp = Fixtures.TempDir();
        string disguised = tmp.File("really_flac.wav");
        File.Copy(F("flac_sf_s16_stereo.flac"), disguised);
        var audio = AudioDecoder.Decode(disguised);
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(2, audio.ChannelCount);
    }

    [Fact]
    public void MissingFileIsNotFoundNamingIt()
    {
        var e = Assert.Throws<ClapAuditException>(() => AudioDecoder.Decode("no/such/clip.wav"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Contains("no/such/clip.wav", e.Message);
    }

    [Theory]
    [InlineData("wav_s16.wav", 300)]
    [InlineData("wav_s16.wav", 30)]
    [InlineData("flac_cli_s16_stereo_b1152.flac", 5000)]
    [InlineData("flac_cli_s16_stereo_b1152.flac", 60)]
    [InlineData("ogg_stereo.ogg", 2000)]
    public void TruncatedFileIsInvalidDataNamingIt(string file, int keepBytes)
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("cut_" + file);
        File.WriteAllBytes(path, File.ReadAllBytes(F(file))[..keepBytes]);
        var e = Assert.Throws<ClapAuditException>(() => AudioDecoder.Decode(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptFlacFrameFailsItsCrc()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("corrupt.flac");
        var bytes = File.ReadAllBytes(F("flac_cli_s16_stereo_b1152.flac"));
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ClapAuditException>(() => AudioDecoder.Decode(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void GarbageBytesAreInvalidDataNamingTheFile()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("garbage.mp3");
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0x12;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ClapAuditException>(() => AudioDecoder.Decode(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.Contains(path, e.Message);
        Assert.Contains("not a recognised audio format", e.Message);
    }

    [Fact]
    public void EmptyFileIsInvalidData()
    {
        using var tmp = Fixtures.TempDir();
        string path = tmp.File("empty.wav");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<ClapAuditException>(() => AudioDecoder.Decode(path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
    }
}
