using System.Text.Json;
using ClapAudit.Audio;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;
using Xunit;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training.Pretraining;

[Collection(TorchGlobalRngCollection.Name)]
public sealed class PretrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed class Sync(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }

    [Fact]
    public void RecipeDefaultsArePANNsAndOverridesAreValidated()
    {
        var r = new PretrainRecipe().Validate();
        Assert.Equal((1e-3, 32, 32000, 10.0, 1024, 320, 64, 64), (r.LearningRate, r.BatchSize, r.SampleRate, r.DurationSeconds, r.WindowSize, r.HopSize, r.MelBins, r.BaseWidth));
        Assert.True(r.SpecAugment && r.Mixup && r.Amsgrad && !r.BalancedSampling && !r.ZNormalize);
        Assert.Equal([64, 128, 256, 512, 1024, 2048], r.ModelOptions(527).Channels);
        var o = r.WithOverrides(["sample_rate=44100", "duration_seconds=5", "balanced_sampling=true"]);
        Assert.Equal((44100, 5.0, true), (o.SampleRate, o.DurationSeconds, o.BalancedSampling));
        var e = Assert.Throws<ClapAuditException>(() => r.WithOverrides(["mel_bins=16"]));
        Assert.Contains("mel_bins", e.Message);
        Assert.Throws<ClapAuditException>(() => r.WithOverrides(["no_such_key=1"]));
        using var tmp = Fixtures.TempDir();
        File.WriteAllText(tmp.File("p.yaml"), "batch_size: 8\nmixup: false\n");
        var y = PretrainRecipe.Load(tmp.File("p.yaml"));
        Assert.Equal((8, false, 32000), (y.BatchSize, y.Mixup, y.SampleRate));
    }

    [Fact]
    public void BatchesAreSeededPairsForMixupAndBalancedSamplingDrawsClassesEvenly()
    {
        // 10 clips of class 0, 2 of class 1.
        var clips = Enumerable.Range(0, 12).Select(i => new LabelledClip($"c{i}", $"c{i}.wav", [i < 10 ? 0 : 1])).ToList();
        var r = new PretrainRecipe { BatchSize = 2, Seed = 3 }; // mixup: 4 clips a step
        var a = AudioPretraining.TrainBatches(clips, 2, r, epoch: 0);
        Assert.Equal(a.Select(b => string.Join(",", b)), AudioPretraining.TrainBatches(clips, 2, r, 0).Select(b => string.Join(",", b)));
        Assert.NotEqual(a.Select(b => string.Join(",", b)), AudioPretraining.TrainBatches(clips, 2, r, 1).Select(b => string.Join(",", b)));
        Assert.All(a, b => Assert.Equal(4, b.Length));
        Assert.Equal(Enumerable.Range(0, 12), a.SelectMany(b => b).Order());
        // 13 clips with mixup: the odd tail clip is dropped.
        var odd = clips.Append(new LabelledClip("x", "x.wav", [0])).ToList();
        Assert.All(AudioPretraining.TrainBatches(odd, 2, r, 0), b => Assert.True(b.Length % 2 == 0));
        // Balanced: class 1 (2 of 12 clips) is drawn about half the time over many epochs.
        var rb = r with { BalancedSampling = true };
        int ones = 0, total = 0;
        for (int e = 0; e < 200; e++)
            foreach (var i in AudioPretraining.TrainBatches(clips, 2, rb, e).SelectMany(b => b)) { total++; if (i >= 10) ones++; }
        Assert.InRange((double)ones / total, 0.45, 0.55);
    }

    [Fact]
    public void AveragePrecisionMatchesSklearn()
    {
        // sklearn 1.2.1: average_precision_score([1,0,1,1,0], [0.9,0.8,0.7,0.7,0.1]) = 0.8333333333333333 (ties form one threshold)
        Assert.Equal(0.8333333333333333, AveragePrecision.Of([0.9f, 0.8f, 0.7f, 0.7f, 0.1f], [true, false, true, true, false]), 12);
        // average_precision_score([0,1,0,1], [0.4,0.3,0.2,0.1]) = 0.5
        Assert.Equal(0.5, AveragePrecision.Of([0.4f, 0.3f, 0.2f, 0.1f], [false, true, false, true]), 12);
        Assert.True(double.IsNaN(AveragePrecision.Of([0.1f], [false])));
    }

    [Fact]
    public void DirtyRunLearnsSkipsUnreadableAudioAndWritesAPANNsCheckpoint()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        var recipe = PretrainFixtures.TinyRecipe with { MaxEpochs = 5, Mixup = false, SpecAugment = false, BatchSize = 6 };
        var job = new PretrainJob(audioset, tmp.File("cnn14.pth"), tmp.File("run"), recipe);
        var epochLosses = new List<double>();
        var result = AudioPretraining.Run(job, new Sync(p => { if (p.Event == TrainingEvent.EpochEnd) epochLosses.Add(p.EpochLoss); }));

        Assert.False(result.Cancelled);
        Assert.Equal(5, result.Epochs);
        Assert.Equal(PretrainFixtures.AllClips, result.Clips);
        Assert.Equal(0, result.RemovedClips);
        Assert.True(result.SkippedClips >= 1);
        Assert.True(epochLosses[^1] < 0.8 * epochLosses[0], $"train loss {string.Join(", ", epochLosses)}");
        Assert.NotNull(result.BestValLoss);
        Assert.True(File.Exists(Path.Combine(result.RunDirectory, "run.json")) && File.Exists(Path.Combine(result.RunDirectory, "leakage.json")));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(result.RunDirectory, "log.csv")).Length);

        using var loaded = Cnn14Checkpoint.Load(result.CheckpointPath, strict: true);
        Assert.Equal([4, 8, 16, 32, 64, 128], loaded.Options.Channels);
        Assert.Equal((32, 6), (loaded.Options.MelBins, loaded.Options.ClassCount));
        Assert.True(loaded.Report.IsExact, loaded.Report.ToString());
        var fe = loaded.FrontEnd;
        Assert.Equal([257L, 1, 512], fe.StftReal!.Shape);
        Assert.Equal([257L, 32], fe.MelFilters!.Shape);
        var cmp = FrontEndCheck.Compare(recipe.LogMelOptions(), fe.StftReal.Values, fe.StftReal.Shape.Select(x => (int)x).ToArray(),
            fe.StftImag!.Values, fe.MelFilters.Values, fe.MelFilters.Shape.Select(x => (int)x).ToArray());
        Assert.True(cmp.Matches, cmp.Warning);
        var meta = PretrainedCnn14Metadata.From(loaded.Metadata);
        Assert.NotNull(meta);
        Assert.Equal(16000, meta.Preprocessing.SampleRate);
        Assert.Equal(result.GlobalStep.ToString(System.Globalization.CultureInfo.InvariantCulture), loaded.Metadata["iteration"]);
        Assert.Equal(PretrainFixtures.Classes.Select(c => c.Mid), meta.Classes.Select(c => c.Mid));
        Assert.False(meta.Clean);

        // A rerun of a finished run does no training and rewrites the same file.
        var again = AudioPretraining.Run(job);
        Assert.Equal(result.GlobalStep, again.GlobalStep);
    }

    [Fact]
    public void CleanRunRemovesTheTestClassClipsAndLabels()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        string esc = PretrainFixtures.WriteEsc50(tmp.Path);
        var job = new PretrainJob(audioset, tmp.File("clean.pth"), tmp.File("run"), PretrainFixtures.TinyRecipe with { MaxEpochs = 1 })
        { CleanAgainstEsc50Dir = esc };
        var result = AudioPretraining.Run(job);
        Assert.Equal(PretrainFixtures.CleanRemovedMids.Order(), result.RemovedLabels.Order());
        Assert.Equal(PretrainFixtures.CleanRemovedClips, result.RemovedClips);
        Assert.Equal(PretrainFixtures.AllClips - PretrainFixtures.CleanRemovedClips, result.Clips);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.RunDirectory, "leakage.json"))).RootElement;
        Assert.Equal(PretrainFixtures.CleanRemovedClips, report.GetProperty("clips").GetProperty("removed").GetInt32());
        using var loaded = Cnn14Checkpoint.Load(result.CheckpointPath);
        var meta = PretrainedCnn14Metadata.From(loaded.Metadata)!;
        Assert.True(meta.Clean);
        Assert.Equal(PretrainFixtures.CleanRemovedMids.Order(), meta.Classes.Where(c => c.Removed).Select(c => c.Mid).Order());
        // All ontology classes stay outputs.
        Assert.Equal(6, loaded.Options.ClassCount);
    }

    [Fact]
    public void ResumeAfterCancelGivesTheUninterruptedWeights()
    {
        using var tmp = Fixtures.TempDir();
        string audioset = PretrainFixtures.WriteAudioSet(tmp.Path);
        var recipe = PretrainFixtures.TinyRecipe with { MaxEpochs = 2, CheckpointEvery = 2 };
        var straight = AudioPretraining.Run(new PretrainJob(audioset, tmp.File("a.pth"), tmp.File("run-a"), recipe));

        var job = new PretrainJob(audioset, tmp.File("b.pth"), tmp.File("run-b"), recipe);
        using var cts = new CancellationTokenSource();
        var first = AudioPretraining.Run(job, new Sync(p => { if (p.Event == TrainingEvent.Step && p.GlobalStep == 3) cts.Cancel(); }), cts.Token);
        Assert.True(first.Cancelled);
        Assert.False(File.Exists(tmp.File("b.pth")));
        bool resumed = false;
        var second = AudioPretraining.Run(job, new Sync(p => resumed |= p.Event == TrainingEvent.Resumed));
        Assert.True(resumed);
        Assert.Equal(straight.GlobalStep, second.GlobalStep);

        using var a = CheckpointFile.Read(straight.CheckpointPath);
        using var b = CheckpointFile.Read(second.CheckpointPath);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        double worst = 0;
        foreach (var k in a.Keys)
        {
            using var d = (a.Tensors[k].to(ScalarType.Float64) - b.Tensors[k].to(ScalarType.Float64)).abs();
            worst = Math.Max(worst, d.numel() == 0 ? 0 : d.max().item<double>());
        }
        output.WriteLine($"resume vs uninterrupted: max abs difference {worst:G3}");
        Assert.True(worst <= 1e-6, $"max abs weight difference {worst}");
    }

    [Fact]
    public void CommittedDotnetWrittenCheckpointReadsBackWithTheKeysTorchSaw()
    {
        string path = Fixtures.Path("pretrain", "tiny_pretrained.pth");
        var torchSaw = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("pretrain", "tiny_pretrained.torch.json"))).RootElement;
        Assert.True(torchSaw.GetProperty("ok").GetBoolean());
        using var file = CheckpointFile.Read(path);
        var shapes = torchSaw.GetProperty("shapes");
        var reference = File.ReadLines(Fixtures.Path("models", "cnn14-keys.tsv")).Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')[0]);
        Assert.Equal(reference.Order(), file.Keys.Order());
        Assert.Equal(shapes.EnumerateObject().Select(p => p.Name).Order(), file.Keys.Order());
        foreach (var p in shapes.EnumerateObject())
            Assert.Equal(p.Value.EnumerateArray().Select(x => x.GetInt64()), file.Tensors[p.Name].shape);
        using var loaded = Cnn14Checkpoint.Load(path, strict: true);
        var meta = PretrainedCnn14Metadata.From(loaded.Metadata)!;
        Assert.Equal(torchSaw.GetProperty("iteration").GetInt64(), meta.Iteration);
        var lm = meta.Preprocessing.LogMelOptions();
        var fe = loaded.FrontEnd;
        var cmp = FrontEndCheck.Compare(lm, fe.StftReal!.Values, fe.StftReal.Shape.Select(x => (int)x).ToArray(),
            fe.StftImag!.Values, fe.MelFilters!.Values, fe.MelFilters.Shape.Select(x => (int)x).ToArray());
        Assert.True(cmp.Matches, cmp.Warning);
    }
}
