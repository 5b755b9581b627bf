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
    public void Equals_scipy_resample_poly(string kind, int from, int to)
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
    public void Same_rate_returns_a_copy()
    {
        float[] x = [0.1f, -0.2f, 0.3f];
        var y = Resampler.Resample(x, 44100, 44100);
        Assert.Equal(x, y);
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Output_length_is_ceil_of_n_up_over_down()
    {
        Assert.Equal(44100, Resampler.Resample(new float[48000], 48000, 44100).Length);
        Assert.Equal((int)Math.Ceiling(1001 * 441 / 160.0), Resampler.Resample(new float[1001], 16000, 44100).Length);
    }

    [Fact]
    public void Non_positive_rate_is_an_invalid_setting()
    {
        var e = Assert.Throws<ClapAuditException>(() => Resampler.Resample(new float[10], 0, 44100));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
    }
}
