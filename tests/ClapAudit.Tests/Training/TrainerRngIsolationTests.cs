using System.Globalization;
using ClapAudit.Tests.Clap;
using ClapAudit.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>
/// A training run is a function of its seed alone, even when another thread of the same process draws from
/// (and reseeds) torch's process-wide generator meanwhile: the test host runs other test classes in
/// parallel, a library user may run two trainings at once. This is the cause of the SIGINT resume test's
/// failure (resumed epoch-1 loss 2.667 vs 2.250): the backbones' dropout drew from the process-wide
/// generator, which other tests moved between the trainer's per-step manual_seed and the forward pass.
/// </summary>
[Collection(TorchGlobalRngCollection.Name)]
public class TrainerRngIsolationTests(ITestOutputHelper output)
{
    private static TrainingRecipe Recipe() => new TrainingRecipe().WithOverrides(
        ClapWorld.Overrides.Concat(["batch_size=2", "max_epochs=3"]));

    private static string[] Train(string manifest, string run)
    {
        var result = ClapTraining.Run(new ClapTrainJob(manifest, ClapWorld.Bert, ClapWorld.Cnn14Tiny, run, Recipe())
        {
            GitCommit = "test",
        });
        Assert.Equal(TrainingStatus.MaxEpochs, result.Status);
        return File.ReadAllLines(Path.Combine(run, "log.csv"));
    }

    [Fact]
    public void ALogIsTheSameWhileAnotherThreadDrawsFromTorchsGlobalGenerator()
    {
        using var tmp = Fixtures.TempDir();
        string manifest = ClapWorld.Manifest(tmp.Path);
        var quiet = Train(manifest, tmp.File("quiet"));

        using var stop = new CancellationTokenSource();
        long draws = 0;
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var scope = NewDisposeScope();
                manual_seed(draws);
                _ = rand(64).sum().item<float>();
                draws++;
            }
        });
        string[] noisy;
        try { noisy = Train(manifest, tmp.File("noisy")); }
        finally
        {
            stop.Cancel();
            noise.Wait();
        }
        output.WriteLine($"the other thread drew {draws} times during the second run");
        Assert.True(draws > 0);

        Assert.Equal(quiet.Length, noisy.Length);
        for (int r = 1; r < quiet.Length; r++)
        {
            var x = quiet[r].Split(',');
            var y = noisy[r].Split(',');
            output.WriteLine($"{quiet[r]}  |  {noisy[r]}");
            Assert.Equal(x[..2], y[..2]);
            for (int c = 2; c < 6; c++) // train_loss, val_loss, lr, logit_scale: the same computation, bit for bit
                Assert.Equal(double.Parse(x[c], CultureInfo.InvariantCulture), double.Parse(y[c], CultureInfo.InvariantCulture));
        }
    }
}
