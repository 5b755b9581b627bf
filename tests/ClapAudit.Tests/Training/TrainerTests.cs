using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

public class TrainerTests(Xunit.Abstractions.ITestOutputHelper _output)
{
    private static Dictionary<string, float[]> Weights(ClapModel m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());

    private static (TrainingResult result, Dictionary<string, float[]> weights) RunTiny(
        string dir, TrainingRecipe recipe, CancellationToken ct = default, IProgress<TrainingProgress>? progress = null)
    {
        using var model = Tiny.Model(recipe.ModelOptions(), seed: 11);
        using var frontEnd = new TinyFrontEnd(Tiny.Frames, Tiny.Mels);
        var data = Tiny.Data(train: 18, val: 6, batch: recipe.BatchSize, seed: recipe.Seed);
        var trainer = new Trainer(model, frontEnd, data, recipe, dir, progress, gitCommit: "test");
        var result = trainer.Train(ct);
        return (result, Weights(model));
    }

    [Fact]
    public void ACancelledRunResumedEndsWithTheSameWeightsAsAnUninterruptedOne()
    {
        var recipe = Tiny.Recipe(); // 1 frozen epoch, 3 epochs, 5 steps per epoch, dropout 0.5 active
        using var a = Fixtures.TempDir();
        using var b = Fixtures.TempDir();
        var (full, expected) = RunTiny(a.Path, recipe);
        Assert.Equal(TrainingStatus.MaxEpochs, full.Status);
        Assert.Equal(15, full.GlobalStep);

        // Cancel in the middle of epoch 0 (frozen), resume, cancel in the middle of epoch 2 (unfrozen), resume.
        foreach (int stopAt in new[] { 3, 12 })
        {
            using var cts = new CancellationTokenSource();
            var progress = new ListProgress(p => { if (p.Event == TrainingEvent.Step && p.GlobalStep == stopAt) cts.Cancel(); });
            var (cut, _) = RunTiny(b.Path, recipe, cts.Token, progress);
            Assert.Equal(TrainingStatus.Cancelled, cut.Status);
            Assert.Equal(stopAt, cut.GlobalStep);
            Assert.Equal(stopAt, Checkpoint.ReadState(cut.LastCheckpoint).GlobalStep);
        }
        var (resumed, actual) = RunTiny(b.Path, recipe);
        double maxErr = 0;
        Assert.Equal(TrainingStatus.MaxEpochs, resumed.Status);
        Assert.Equal(15, resumed.GlobalStep);
        foreach (var (key, w) in expected)
        {
            double err = w.Zip(actual[key], (x, y) => Math.Abs(x - y)).Max();
            maxErr = Math.Max(maxErr, err);
            Assert.True(err <= 1e-6, $"{key} differs by {err} after cancel + resume");
        }
        _output.WriteLine($"max weight difference after two cancels and resumes: {maxErr:E2}");
        // The log has one row per epoch in both runs, with the same validation losses.
        var la = File.ReadAllLines(Path.Combine(a.Path, "log.csv"));
        var lb = File.ReadAllLines(Path.Combine(b.Path, "log.csv"));
        Assert.Equal(RunDirectory.LogHeader, la[0]);
        Assert.Equal(4, lb.Length);
        Assert.Equal(la.Select(l => string.Join(',', l.Split(',')[..2])), lb.Select(l => string.Join(',', l.Split(',')[..2])));
        for (int r = 1; r < la.Length; r++)
            for (int c = 2; c < 6; c++)
            {
                double x = double.Parse(la[r].Split(',')[c], System.Globalization.CultureInfo.InvariantCulture);
                double y = double.Parse(lb[r].Split(',')[c], System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(x - y) <= 1e-6 * Math.Max(1, Math.Abs(x)), $"log.csv row {r} column {c}: {x} vs {y}");
            }
        // A finished run rerun does nothing.
        var (again, same) = RunTiny(b.Path, recipe);
        Assert.Equal(15, again.GlobalStep);
        Assert.Equal(actual["logit_scale"], same["logit_scale"]);
    }

    private sealed class Killed : Exception;

    [Fact]
    public void AKilledRunResumesFromItsLastCheckpointToTheSameWeights()
    {
        // A crash saves nothing: the run resumes from the last periodic or end-of-epoch checkpoint.
        var recipe = Tiny.Recipe() with { CheckpointEvery = 3 };
        using var a = Fixtures.TempDir();
        using var b = Fixtures.TempDir();
        var (_, expected) = RunTiny(a.Path, recipe);

        // Killed mid-epoch 1 at step 7 (last.ckpt holds step 6).
        Assert.Throws<Killed>(() => RunTiny(b.Path, recipe, progress: new ListProgress(p =>
        {
            if (p.Event == TrainingEvent.Step && p.GlobalStep == 7) throw new Killed();
        })));
        Assert.Equal(6, Checkpoint.ReadState(Path.Combine(b.Path, "checkpoints", "last.ckpt")).GlobalStep);
        // Killed after an epoch's log row and best.ckpt were written but before last.ckpt: the row is redone.
        bool killed = false;
        try
        {
            RunTiny(b.Path, recipe, progress: new ListProgress(p =>
            {
                if (p.Event == TrainingEvent.Checkpoint && p.Message!.EndsWith("best.ckpt")) { killed = true; throw new Killed(); }
            }));
        }
        catch (Killed) { }
        var (result, actual) = RunTiny(b.Path, recipe);
        Assert.Equal(15, result.GlobalStep);
        foreach (var (key, w) in expected)
            Assert.True(w.Zip(actual[key], (x, y) => Math.Abs(x - y)).Max() <= 1e-6, $"{key} differs after kill + resume");
        var log = File.ReadAllLines(Path.Combine(b.Path, "log.csv"));
        Assert.Equal(new[] { "0", "1", "2" }, log.Skip(1).Select(l => l.Split(',')[0]));
        _output.WriteLine($"second kill happened: {killed}");
    }

    [Fact]
    public void BackbonesDoNotChangeWhileFrozenAndDoAfter()
    {
        var recipe = Tiny.Recipe() with { MaxEpochs = 1 };
        using var dir = Fixtures.TempDir();
        using var init = Tiny.Model(recipe.ModelOptions(), seed: 11);
        var before = Weights(init);
        var (_, afterFrozen) = RunTiny(dir.Path, recipe);
        Assert.Equal(before["audio_encoder.base.fc.weight"], afterFrozen["audio_encoder.base.fc.weight"]);
        Assert.Equal(before["caption_encoder.base.embed.weight"], afterFrozen["caption_encoder.base.embed.weight"]);
        Assert.NotEqual(before["audio_encoder.projection.linear1.weight"], afterFrozen["audio_encoder.projection.linear1.weight"]);
        Assert.NotEqual(before["logit_scale"], afterFrozen["logit_scale"]);

        var (_, afterUnfrozen) = RunTiny(dir.Path, recipe with { MaxEpochs = 2 });
        Assert.NotEqual(afterFrozen["audio_encoder.base.fc.weight"], afterUnfrozen["audio_encoder.base.fc.weight"]);
        Assert.NotEqual(afterFrozen["caption_encoder.base.embed.weight"], afterUnfrozen["caption_encoder.base.embed.weight"]);
        var state = Checkpoint.ReadState(Path.Combine(dir.Path, "checkpoints", "last.ckpt"));
        Assert.Equal(TrainingPhase.Unfrozen, state.Phase);
        Assert.Equal(recipe.UnfrozenLearningRate, state.Plateau.LearningRate);
    }

    [Fact]
    public void RunDirectoryHoldsRunJsonLogAndCheckpointsAndRefusesChangedSettings()
    {
        var recipe = Tiny.Recipe() with { MaxEpochs = 2 };
        using var dir = Fixtures.TempDir();
        var progress = new ListProgress();
        var (result, weights) = RunTiny(dir.Path, recipe, progress: progress);
        var run = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("run.json"))).RootElement;
        Assert.Equal(7, run.GetProperty("seed").GetInt32());
        Assert.Equal("test", run.GetProperty("git_commit").GetString());
        Assert.Equal(1, run.GetProperty("recipe").GetProperty("frozen_epochs").GetInt32());
        Assert.True(run.GetProperty("versions").TryGetProperty("torchsharp", out _));
        Assert.True(File.Exists(result.BestCheckpoint));

        var state = Checkpoint.ReadState(result.LastCheckpoint);
        Assert.Equal(2, state.Epoch);
        Assert.Equal(new TrainedPreprocessing(1000, 0.024, true, "zero", true), state.Preprocessing);
        Assert.Equal(new ModelShape(Tiny.AudioSize, Tiny.TextSize, Tiny.ProjectionDim, 0.5, 100), state.Model);

        // Weights load into a fresh model; model.pth inside is a PyTorch state dict with msclap's keys.
        using var fresh = Tiny.Model(recipe.ModelOptions(), seed: 99);
        Checkpoint.LoadWeights(result.LastCheckpoint, fresh);
        Assert.Equal(weights["audio_encoder.projection.linear2.weight"], Weights(fresh)["audio_encoder.projection.linear2.weight"]);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(result.LastCheckpoint))
        using (var s = zip.GetEntry("model.pth")!.Open())
        {
            var ms = new MemoryStream();
            s.CopyTo(ms);
            ms.Position = 0;
            var sd = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(ms);
            Assert.True(sd.ContainsKey("caption_encoder.projection.layer_norm.bias"));
            Assert.True(sd.ContainsKey("logit_scale"));
        }

        var epochs = progress.Reports.Where(r => r.Event == TrainingEvent.EpochEnd).ToList();
        Assert.Equal(2, epochs.Count);
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.ValLoss) && double.IsFinite(e.EpochLoss)));
        Assert.Single(progress.Reports, r => r.Event == TrainingEvent.PhaseChange);
        Assert.All(progress.Reports.Where(r => r.Event == TrainingEvent.Step), r => Assert.True(r.ClipsPerSecond > 0 && r.Eta is not null));

        var e = Assert.Throws<ClapAuditException>(() => RunTiny(dir.Path, recipe with { FrozenLearningRate = 0.5, MaxEpochs = 3 }));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("frozen_learning_rate", e.Message);
    }

    [Fact]
    public void EarlyStoppingEndsTheRunWhenValidationStopsImproving()
    {
        // A learning rate so small that the validation loss cannot improve by min_delta: stops after patience epochs.
        var recipe = Tiny.Recipe() with { FrozenEpochs = 0, UnfrozenLearningRate = 1e-9, EarlyStoppingPatience = 2, EarlyStoppingMinDelta = 0.01, MaxEpochs = 10 };
        using var dir = Fixtures.TempDir();
        var (result, _) = RunTiny(dir.Path, recipe);
        Assert.Equal(TrainingStatus.EarlyStopped, result.Status);
        Assert.Equal(3, result.EpochsCompleted); // epoch 0 sets the best, epochs 1 and 2 do not improve by 0.01
        Assert.Equal(0, result.BestEpoch);
    }

    [Fact]
    public void AModelBuiltWithOtherHeadSettingsThanTheRecipeIsRefused()
    {
        using var dir = Fixtures.TempDir();
        using var model = Tiny.Model(new ClapModelOptions { ProjectionDim = Tiny.ProjectionDim, LogitClamp = 50 });
        using var frontEnd = new TinyFrontEnd(Tiny.Frames, Tiny.Mels);
        var e = Assert.Throws<ClapAuditException>(() => new Trainer(model, frontEnd, Tiny.Data(8, 4, 4), Tiny.Recipe(), dir.Path));
        Assert.Contains("logit_clamp 50", e.Message);
    }

    [Fact]
    public void SkippedItemsDoNotStopTraining()
    {
        var recipe = Tiny.Recipe() with { MaxEpochs = 1 };
        using var dir = Fixtures.TempDir();
        using var model = Tiny.Model(recipe.ModelOptions());
        using var frontEnd = new TinyFrontEnd(Tiny.Frames, Tiny.Mels);
        var progress = new ListProgress();
        var data = Tiny.Data(18, 6, 4, load: (it, r) => it.Id == "t5" ? throw new IOException("truncated file") : Tiny.LoadAudio(it, r), progress: progress);
        var result = new Trainer(model, frontEnd, data, recipe, dir.Path, progress).Train();
        Assert.Equal(TrainingStatus.MaxEpochs, result.Status);
        Assert.Equal(1, data.SkippedTotal);
        Assert.Contains(progress.Reports, r => r.Event == TrainingEvent.ItemSkipped && r.Message!.Contains("t5.wav"));
    }
}
