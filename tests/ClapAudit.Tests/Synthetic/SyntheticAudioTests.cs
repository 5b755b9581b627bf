using System.Numerics;
using ClapAudit.Synthetic;
using MathNet.Numerics.IntegralTransforms;
using NAudio.Wave;

namespace ClapAudit.Tests.Synthetic;

/// <summary>
/// The classes are acoustically distinguishable under the strong background noise: cheap hand-made
/// features (log band energies and the modulation of the frame energy) already separate them.
/// </summary>
[Collection(QuickWorldCollection.Name)]
public sealed class SyntheticAudioTests(QuickWorldFixture world)
{
    private SyntheticWorldLayout L => world.Layout;

    /// <summary>
    /// 24 log-spaced band energies (100-7000 Hz), and 8 bins of the modulation spectrum of the log
    /// energy envelope in each of the four octave bands around the pitch centres (250-2000 Hz).
    /// </summary>
    private static double[] Features(string wav)
    {
        float[] x;
        using (var reader = new WaveFileReader(wav))
        {
            var provider = reader.ToSampleProvider();
            x = new float[reader.SampleCount];
            provider.Read(x, 0, x.Length);
        }
        const int frame = 512, hop = 256;
        int frames = (x.Length - frame) / hop + 1;
        var power = new double[frame / 2 + 1];
        var energy = new double[4, frames];
        var buf = new Complex[frame];
        for (int f = 0; f < frames; f++)
        {
            for (int i = 0; i < frame; i++)
                buf[i] = new Complex(x[f * hop + i] * (0.5 - 0.5 * Math.Cos(2 * Math.PI * i / frame)), 0);
            Fourier.Forward(buf, FourierOptions.NoScaling);
            for (int k = 0; k <= frame / 2; k++)
            {
                double p = buf[k].Magnitude * buf[k].Magnitude;
                power[k] += p;
                double hz = k * 16000.0 / frame;
                for (int band = 0; band < 4; band++)
                    if (hz >= 177 * Math.Pow(2, band) && hz < 354 * Math.Pow(2, band)) energy[band, f] += p;
            }
        }
        var features = new List<double>();
        double binHz = 16000.0 / frame;
        for (int b = 0; b < 24; b++)
        {
            double lo = 100 * Math.Pow(70, b / 24.0), hi = 100 * Math.Pow(70, (b + 1) / 24.0), e = 1e-9;
            for (int k = 0; k < power.Length; k++) if (k * binHz >= lo && k * binHz < hi) e += power[k];
            features.Add(Math.Log(e));
        }
        // Modulation: magnitude spectrum of each band's log energy envelope, bins 1..8 (~2-16 Hz).
        for (int band = 0; band < 4; band++)
        {
            var env = Enumerable.Range(0, frames).Select(f => Math.Log(energy[band, f] + 1e-9)).ToArray();
            double mean = env.Average();
            for (int m = 1; m <= 8; m++)
            {
                double re = 0, im = 0;
                for (int f = 0; f < frames; f++) { re += (env[f] - mean) * Math.Cos(2 * Math.PI * m * f / frames); im += (env[f] - mean) * Math.Sin(2 * Math.PI * m * f / frames); }
                features.Add(Math.Sqrt(re * re + im * im) / frames);
            }
        }
        return features.ToArray();
    }

    [Fact]
    public void NearestClassCentroidOnCheapFeaturesBeatsChanceByFar()
    {
        var segments = WorldFiles.AudioSetSegments(Path.Combine(L.AudioSetDir, "balanced_train_segments.csv"));
        var byMid = L.Classes.ToDictionary(c => c.Mid, c => c.Index);
        var data = segments.Select(s => (Class: byMid[s.Mids[0]], X: Features(Path.Combine(L.AudioSetDir, "audio", $"Y{s.Ytid}.wav")))).ToList();
        int d = data[0].X.Length;
        // Standardise each feature over all clips.
        for (int j = 0; j < d; j++)
        {
            double m = data.Average(p => p.X[j]);
            double s = Math.Sqrt(data.Average(p => (p.X[j] - m) * (p.X[j] - m))) + 1e-12;
            foreach (var p in data) p.X[j] = (p.X[j] - m) / s;
        }
        // First half of each class's clips builds the centroids, the second half is classified.
        var train = data.GroupBy(p => p.Class).SelectMany(g => g.Take(g.Count() / 2)).ToHashSet();
        var centroids = data.Where(train.Contains).GroupBy(p => p.Class)
            .ToDictionary(g => g.Key, g => Enumerable.Range(0, d).Select(j => g.Average(p => p.X[j])).ToArray());
        var test = data.Where(p => !train.Contains(p)).ToList();
        double accuracy = test.Average(p => centroids.MinBy(c => Dist(c.Value, p.X)).Key == p.Class ? 1.0 : 0.0);
        double chance = 1.0 / L.Classes.Count;
        // Measured 0.80 on the Quick world (seed 0); chance is 0.042.
        Assert.True(accuracy > 0.65, $"nearest-centroid accuracy {accuracy:F3} (chance {chance:F3})");

        // Classes that differ in one attribute only (pitch, source or rhythm) are still told apart:
        // between the two centroids, held-out clips fall on their own class's side.
        var pairs = OneAttributeApart().Select(ab =>
        {
            var (a, b) = ab;
            var mine = test.Where(p => p.Class == a.Index || p.Class == b.Index).ToList();
            double acc = mine.Average(p =>
                (Dist(p.X, centroids[a.Index]) < Dist(p.X, centroids[b.Index]) ? a.Index : b.Index) == p.Class ? 1.0 : 0.0);
            return (a, b, acc);
        }).ToList();
        // Measured on the Quick world, seed 0: mean 0.91 over 24 pairs; lowest 0.47 for rising vs falling
        // sweep (same spectrum and modulation, only the direction in time differs, which these
        // features cannot see and a CNN on the log-mel image can), then 0.73.
        Assert.True(pairs.Average(p => p.acc) > 0.8, $"mean pair accuracy {pairs.Average(p => p.acc):F3}");
        bool SweepsOnly(SoundClass a, SoundClass b) =>
            a.Source is SourceKind.RisingSweep or SourceKind.FallingSweep && b.Source is SourceKind.RisingSweep or SourceKind.FallingSweep;
        Assert.All(pairs.Where(p => !SweepsOnly(p.a, p.b)), p => Assert.True(p.acc > 0.6, $"{p.a.Description} vs {p.b.Description}: {p.acc:F2}"));
        Assert.True(pairs.Count >= 10);
    }

    private IEnumerable<(SoundClass, SoundClass)> OneAttributeApart()
    {
        var cs = L.Classes;
        foreach (var a in cs)
            foreach (var b in cs.Where(b => b.Index > a.Index))
            {
                int diff = (a.Source != b.Source ? 1 : 0) + (a.Pitch != b.Pitch ? 1 : 0) + (a.Rhythm != b.Rhythm ? 1 : 0);
                if (diff == 1) yield return (a, b);
            }
    }

    private static double Dist(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s;
    }
}
