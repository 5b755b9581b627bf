using ClapAudit.Audio;
using ClapAudit.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Audio;

/// <summary>Mel filters and log-mel against PyTorch/librosa-equivalent references (tools/make_audio_fixtures.py).</summary>
public class LogMelTests
{
    public static readonly TheoryData<string, int, int, int, int, double, double> Configs = new()
    {
        { "cfg44k", 44100, 1024, 320, 64, 50, 14000 },
        { "cfg16k", 16000, 512, 160, 32, 50, 8000 },
    };

    private static LogMelOptions Options(int sr, int win, int hop, int mels, double fmin, double fmax) =>
        new() { SampleRate = sr, WindowSize = win, HopSize = hop, MelBins = mels, FMin = fmin, FMax = fmax };

    [Theory]
    [MemberData(nameof(Configs))]
    public void MelFilterBankEqualsLibrosaSlaney(string name, int sr, int win, int hop, int mels, double fmin, double fmax)
    {
        var expected = NpyArray.Read(Fixtures.Path("audio", $"mel_{name}.npy"));
        Assert.Equal([win / 2 + 1, mels], expected.Shape);
        var w = MelFilterBank.Create(Options(sr, win, hop, mels, fmin, fmax));
        var e = expected.ToDoubleArray();
        double max = 0;
        for (int i = 0; i < e.Length; i++) max = Math.Max(max, Math.Abs(w[i] - e[i]));
        Assert.True(max < 1e-6, $"max abs {max}");
    }

    private static (float[] Got, long[] Shape) RunLogMel(string name, LogMelOptions options, bool float64)
    {
        var input = NpyArray.Read(Fixtures.Path("audio", $"logmel_{name}.in.npy"));
        using var module = new LogMelSpectrogram(options);
        using var _ = no_grad();
        using var x32 = tensor(input.ToFloatArray(), [input.Shape[0], input.Shape[1]]);
        using var x = float64 ? x32.to_type(ScalarType.Float64) : x32.alias();
        using var y = module.call(x);
        Assert.Equal(options.Frames(input.Shape[1]), (int)y.shape[2]);
        using var yf = y.to_type(ScalarType.Float32);
        return (yf.data<float>().ToArray(), y.shape);
    }

    /// <summary>float64 input: the exact computation, against PyTorch's float64 run of the same math.</summary>
    [Theory]
    [MemberData(nameof(Configs))]
    public void LogMelInFloat64EqualsPytorchFloat64Within1e4(string name, int sr, int win, int hop, int mels, double fmin, double fmax)
    {
        var expected = NpyArray.Read(Fixtures.Path("audio", $"logmel_{name}.out64.npy"));
        var (got, shape) = RunLogMel(name, Options(sr, win, hop, mels, fmin, fmax), float64: true);
        Assert.Equal(expected.Shape.Select(v => (long)v).ToArray(), shape);
        var e = expected.ToDoubleArray();
        double max = 0;
        for (int i = 0; i < e.Length; i++) max = Math.Max(max, Math.Abs(got[i] - e[i]));
        Assert.True(max < 1e-4, $"max abs dB difference {max}");
    }

    /// <summary>
    /// float32 input against PyTorch's float32 torch.stft: within 1e-4 dB wherever a mel bin is within
    /// 40 dB of its frame's peak; deeper bins carry float32 FFT rounding (PyTorch's own float32 output is
    /// 5e-4 dB from the float64 values there), so they are held to 1e-3, and the .NET float32 output
    /// must be no further from the exact (float64) values than PyTorch's float32 output is, plus 1e-4.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configs))]
    public void LogMelInFloat32EqualsPytorchFloat32(string name, int sr, int win, int hop, int mels, double fmin, double fmax)
    {
        var expected = NpyArray.Read(Fixtures.Path("audio", $"logmel_{name}.out.npy"));
        var exact = NpyArray.Read(Fixtures.Path("audio", $"logmel_{name}.out64.npy")).ToDoubleArray();
        var (got, shape) = RunLogMel(name, Options(sr, win, hop, mels, fmin, fmax), float64: false);
        Assert.Equal(expected.Shape.Select(v => (long)v).ToArray(), shape);
        var e = expected.ToFloatArray();
        int frames = (int)shape[2];
        double maxNear = 0, maxAll = 0, ourErr = 0, torchErr = 0;
        for (int f = 0; f < shape[0] * frames; f++)
        {
            double peak = double.MinValue;
            for (int m = 0; m < mels; m++) peak = Math.Max(peak, e[f * mels + m]);
            for (int m = 0; m < mels; m++)
            {
                int i = f * mels + m;
                double d = Math.Abs(got[i] - e[i]);
                maxAll = Math.Max(maxAll, d);
                if (e[i] >= peak - 40) maxNear = Math.Max(maxNear, d);
                ourErr = Math.Max(ourErr, Math.Abs(got[i] - exact[i]));
                torchErr = Math.Max(torchErr, Math.Abs(e[i] - exact[i]));
            }
        }
        Assert.True(maxNear < 1e-4, $"max abs dB difference within 40 dB of the frame peak {maxNear}");
        Assert.True(maxAll < 1e-3, $"max abs dB difference {maxAll}");
        Assert.True(ourErr <= torchErr + 1e-4, $"max abs dB error vs float64: ours {ourErr}, PyTorch float32 {torchErr}");
    }

    [Fact]
    public void ModuleHasNoParametersAndAnEmptyStateDict()
    {
        using var module = new LogMelSpectrogram(new LogMelOptions());
        Assert.Empty(module.parameters());
        Assert.Empty(module.state_dict());
        module.to(CPU);
        module.to(ScalarType.Float64); // dtype changes do not touch the float32 window/filters
        using var x = randn(1, 4000);
        using var y = module.call(x);
        Assert.Equal(new long[] { 1, 1, 4000 / 320 + 1, 64 }, y.shape);
    }

    [Fact]
    public void GivenMelFiltersAreUsed()
    {
        var options = new LogMelOptions { SampleRate = 16000, WindowSize = 512, HopSize = 160, MelBins = 32, FMax = 8000 };
        var filters = MelFilterBank.Create(options).Select(v => v * 10f).ToArray();
        using var plain = new LogMelSpectrogram(options);
        using var scaled = new LogMelSpectrogram(options, filters);
        using var x = randn(2, 8000, generator: new Generator(5));
        using var d = scaled.call(x) - plain.call(x);
        // x10 on the filters is +10 dB wherever the power is above amin.
        Assert.Equal(10.0, d.mean().item<float>(), 3);
    }

    [Fact]
    public void TopDbClampsToTheBatchMaximumMinusTopDb()
    {
        var options = new LogMelOptions { TopDb = 30 };
        using var module = new LogMelSpectrogram(options);
        using var x = randn(2, 8000, generator: new Generator(2)) * linspace(0, 1, 8000);
        using var y = module.call(x);
        float max = y.max().item<float>(), min = y.min().item<float>();
        Assert.Equal(max - 30, min, 3);
    }

    [Fact]
    public void WrongFilterSizeAndBadOptionsAreRejected()
    {
        var e = Assert.Throws<ClapAuditException>(() => new LogMelSpectrogram(new LogMelOptions(), new float[10]));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        var s = Assert.Throws<ClapAuditException>(() => new LogMelOptions { FMax = 30000 }.Validate());
        Assert.Equal(ErrorKind.InvalidSetting, s.Kind);
        Assert.Throws<ClapAuditException>(() => new LogMelOptions { HopSize = 0 }.Validate());
    }

    [Fact]
    public void StftKernelsEqualTorchlibrosaLayout()
    {
        var (re, im) = FrontEndCheck.StftKernels(64);
        var er = NpyArray.Read(Fixtures.Path("audio", "stft_kernels_64.real.npy"));
        var ei = NpyArray.Read(Fixtures.Path("audio", "stft_kernels_64.imag.npy"));
        Assert.Equal([33, 1, 64], er.Shape);
        var a = er.ToFloatArray();
        var b = ei.ToFloatArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], re[i], 6);
            Assert.Equal(b[i], im[i], 6);
        }
    }

    [Fact]
    public void FrontEndCheckFlags32kFiltersUsedAt44k()
    {
        var at44 = new LogMelOptions();
        var at32 = at44 with { SampleRate = 32000 };
        var melW32 = MelFilterBank.Create(at32);
        var (re, im) = FrontEndCheck.StftKernels(1024);
        var r = FrontEndCheck.Compare(at44, re, [513, 1, 1024], im, melW32, [513, 64]);
        Assert.False(r.Matches);
        Assert.Equal(0, r.StftRealMaxAbsDiff);
        Assert.True(r.MelMaxAbsDiff > 1e-4, $"mel diff {r.MelMaxAbsDiff}");
        Assert.Equal(32000, r.MelFiltersMatchRate);
        Assert.Contains("32000 Hz", r.Warning);

        var same = FrontEndCheck.Compare(at32, re, [513, 1, 1024], im, melW32, [513, 64]);
        Assert.True(same.Matches);
        Assert.Null(same.Warning);
    }

    [Fact]
    public void FrontEndCheckReportsShapeMismatch()
    {
        var r = FrontEndCheck.Compare(new LogMelOptions(), null, null, null, new float[257 * 64], [257, 64]);
        Assert.False(r.Matches);
        Assert.Null(r.MelMaxAbsDiff);
        Assert.Contains("[257, 64]", r.Warning);
    }
}
