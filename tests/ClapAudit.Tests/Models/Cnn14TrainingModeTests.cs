using ClapAudit.Models;
using ClapAudit.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Tests.Models;

/// <summary>
/// What CNN14 does in training mode (SpecAugment, dropout, the BatchNorm mode) and what BatchNorm
/// calibration does to a random CNN14. These draw from torch's process-wide generator.
/// </summary>
[Collection(TorchGlobalRngCollection.Name)]
public class Cnn14TrainingModeTests
{
    private static readonly Cnn14Options Small = new() { MelBins = 32, Channels = [4, 4, 8, 8, 16, 16], ClassCount = 3 };

    private static float[] TrainForward(Cnn14 model, Tensor x, int seed)
    {
        torch.manual_seed(seed);
        using var _ = no_grad();
        using var o = model.call(x);
        return o.Embedding.data<float>().ToArray();
    }

    [Fact]
    public void WithoutSpecAugmentAndDropoutTheTrainForwardIsDeterministic()
    {
        torch.manual_seed(11);
        using var off = new Cnn14(Small with { SpecAugment = false, BlockDropout = 0, HeadDropout = 0 });
        using var on = new Cnn14(Small with { SpecAugment = true, BlockDropout = 0, HeadDropout = 0 });
        on.load_state_dict(off.state_dict());
        using var scope = NewDisposeScope();
        var x = randn(6, 1, 101, 32);
        off.train(); on.train();

        // Off: the only randomness left would be SpecAugment's, so two torch seeds give the same embedding.
        Assert.Equal(TrainForward(off, x, 1), TrainForward(off, x, 2));
        // On: the stripes follow the seed, and blank enough of a 101-frame clip to move the embedding.
        var a = TrainForward(on, x, 1);
        var b = TrainForward(on, x, 2);
        var reference = TrainForward(off, x, 1);
        Assert.True(MaxAbsDiff(a, b) > 1e-3, $"SpecAugment on, seeds 1 and 2: max difference {MaxAbsDiff(a, b)}");
        Assert.True(MaxAbsDiff(a, reference) > 1e-3, $"SpecAugment on vs off: max difference {MaxAbsDiff(a, reference)}");
    }

    [Fact]
    public void SpecAugmentBlanksHalfOfAOneSecondClip()
    {
        // Expected share of frames inside one of torchlibrosa's 2 time stripes (width randint(0, 64), start
        // randint(0, T - width)), computed exactly by enumerating widths and starts (python, docs/demo-world.md):
        // 0.5024 of 101 frames (1 s at hop 10 ms), 0.0619 of 1001 frames (PANNs' 10-s clips).
        foreach (var (frames, expected) in new[] { (101, 0.5024), (1001, 0.0619) })
        {
            torch.manual_seed(5);
            var keep = SpecAugment.StripeMask(batch: 4000, total: frames, dropWidth: 64, stripes: 2);
            double blanked = keep.Count(v => v == 0) / (double)keep.Length;
            Assert.InRange(blanked, expected - 0.01, expected + 0.01);
        }
    }

    [Fact]
    public void RunningBatchNormModeKeepsStatisticsWhileDropoutTrains()
    {
        torch.manual_seed(12);
        using var running = new Cnn14(Small with { BatchNorm = Cnn14BatchNorm.Running, SpecAugment = false });
        using var batch = new Cnn14(Small with { SpecAugment = false });
        using var scope = NewDisposeScope();
        var x = randn(4, 1, 64, 32).Times(3).Plus(2);
        running.train(); batch.train();
        Assert.True(running.training);
        Assert.All(running.BatchNorms(), bn => Assert.False(bn.training));
        Assert.All(batch.BatchNorms(), bn => Assert.True(bn.training));
        Assert.Equal(13, running.BatchNorms().Count()); // bn0 + 2 per conv block

        var before = running.BatchNorms().Select(bn => bn.running_mean!.data<float>().ToArray()).ToList();
        TrainForward(running, x, 1);
        TrainForward(batch, x, 1);
        Assert.Equal(before, running.BatchNorms().Select(bn => bn.running_mean!.data<float>().ToArray()).ToList());
        Assert.Equal(0L, running.BatchNorms().First().num_batches_tracked!.item<long>());
        Assert.Equal(1L, batch.BatchNorms().First().num_batches_tracked!.item<long>());
        // Dropout still follows the training mode in the running-statistics model.
        Assert.NotEqual(TrainForward(running, x, 1), TrainForward(running, x, 2));
        running.eval();
        Assert.All(running.BatchNorms(), bn => Assert.False(bn.training));
    }

    [Fact]
    public void CalibrationSetsRunningStatisticsToTheBatchAveragesAndLeavesWeightsAlone()
    {
        torch.manual_seed(13);
        using var model = new Cnn14(Small);
        using var scope = NewDisposeScope();
        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());
        var batches = Enumerable.Range(0, 3).Select(i => randn(5, 1, 40, 32).Times(2 + i).Plus(10 * i - 4)).ToList();
        model.train();

        int layers = BatchNormCalibration.Calibrate(model, () =>
        {
            foreach (var b in batches) model.EmbedAudio(b).Dispose();
        });

        Assert.Equal(13, layers);
        Assert.True(model.training);  // mode restored
        Assert.All(model.BatchNorms(), bn => Assert.Equal(0.1, bn.momentum)); // momentum restored
        foreach (var (name, p) in model.named_parameters())
            Assert.Equal(weights[name], p.data<float>().ToArray());

        // bn0 normalises each mel band over (batch, frames): its running mean must be the plain average of
        // the three batches' band means, its running variance the average of their unbiased variances.
        var bn0 = model.BatchNorms().First();
        Assert.Equal(3L, bn0.num_batches_tracked!.item<long>());
        var mean = bn0.running_mean!.data<float>().ToArray();
        var variance = bn0.running_var!.data<float>().ToArray();
        for (int m = 0; m < 32; m++)
        {
            double meanRef = 0, varRef = 0;
            foreach (var b in batches)
            {
                var band = b.select(3, m).flatten().data<float>().ToArray().Select(v => (double)v).ToArray();
                double mu = band.Average();
                meanRef += mu / 3;
                varRef += band.Sum(v => (v - mu) * (v - mu)) / (band.Length - 1) / 3;
            }
            Assert.Equal(meanRef, mean[m], 3);
            Assert.Equal(varRef, variance[m], 2);
        }
        // Deeper layers moved off their initial (0, 1) too.
        Assert.All(model.BatchNorms().Skip(1), bn => Assert.NotEqual(0f, bn.running_mean!.abs().sum().item<float>()));
    }

    private static double MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
}
