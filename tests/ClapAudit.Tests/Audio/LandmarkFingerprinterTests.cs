using ClapAudit.Audio.Fingerprints;
using ClapAudit.Common;

namespace ClapAudit.Tests.Audio;

/// <summary>The fingerprint's spectrogram and peak search against numpy/scipy (tools/make_fingerprint_fixtures.py).</summary>
public class LandmarkFingerprinterTests(Xunit.Abstractions.ITestOutputHelper _output)
{
    [Theory]
    [InlineData("tones")]
    [InlineData("silence_then_tone")]
    public void TheDbSpectrogramMatchesNumpysFloat64RfftAndThePeaksMatchScipyNdimage(string name)
    {
        var input = NpyArray.Read(Fixtures.Path("fingerprint", name + ".in.npy"));
        var reference = NpyArray.Read(Fixtures.Path("fingerprint", name + ".db.npy"));
        var expectedPeaks = NpyArray.Read(Fixtures.Path("fingerprint", name + ".peaks.npy")).ToInt64Array("peaks");
        var o = new FingerprintOptions();
        var x = input.ToDoubleArray().Select(v => (float)v).ToArray();
        var db = LandmarkFingerprinter.SpectrogramDb(x, o, out int frames);
        var want = reference.ToDoubleArray();
        Assert.Equal(reference.Shape[0], frames);
        Assert.Equal(want.Length, db.Length);
        // float32 output of a float64 computation: 1e-4 dB covers its rounding at the -240 dB floor.
        double worst = want.Zip(db, (a, b) => Math.Abs(a - b)).Max();
        _output.WriteLine($"{name}: {frames} frames, max |dB - numpy| = {worst:E2}");
        Assert.True(worst <= 1e-4, $"spectrogram differs from numpy by {worst} dB");
        // Peaks from the reference spectrogram itself, so that float32 rounding cannot move one.
        var peaks = LandmarkFingerprinter.FindPeaks(want.Select(v => (float)v).ToArray(), frames, o.FftSize / 2 + 1, o);
        Assert.Equal(expectedPeaks.Select(v => (int)v), peaks);
    }
}
