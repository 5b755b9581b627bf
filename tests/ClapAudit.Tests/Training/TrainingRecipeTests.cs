using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Training;

namespace ClapAudit.Tests.Training;

public class TrainingRecipeTests
{
    [Fact]
    public void DefaultsAreThePapersItemsBToJ()
    {
        var r = new TrainingRecipe();
        Assert.Equal(5, r.FrozenEpochs);                 // (b)
        Assert.Equal(1e-4, r.FrozenLearningRate);        // (c)
        Assert.Equal(1e-5, r.UnfrozenLearningRate);      // (e)
        Assert.Equal(100, r.GradientClipNorm);           // (f)
        Assert.Equal(100, r.LogitClamp);                 // (g)
        Assert.Equal(0.1, r.PlateauFactor);              // (h)
        Assert.Equal(10, r.PlateauPatience);             // (h)
        Assert.Equal(44100, r.SampleRate);               // (i)
        Assert.Equal(5, r.DurationSeconds);              // (i)
        Assert.True(r.RandomCrop && r.ZNormalize);       // (i)
        Assert.Equal("zero", r.Padding);                 // (i) "zero-padded, if necessary"
        Assert.Equal(128, r.BatchSize);                  // (j)
        Assert.Equal(1024, r.ProjectionDim);
        Assert.Equal(220500, r.AudioSamples);
        Assert.True(r.EarlyStoppingPatience > r.PlateauPatience);
        r.Validate();
    }

    [Fact]
    public void YamlFileOverridesOnlyTheKeysItNames()
    {
        using var dir = Fixtures.TempDir();
        string path = dir.File("recipe.yaml");
        File.WriteAllText(path, "# smaller run\nbatch_size: 64\nfrozen_epochs: 3\nunfrozen_learning_rate: 2e-5\nrandom_crop: false\ndevice: cpu\n");
        var r = TrainingRecipe.Load(path);
        Assert.Equal(64, r.BatchSize);
        Assert.Equal(3, r.FrozenEpochs);
        Assert.Equal(2e-5, r.UnfrozenLearningRate);
        Assert.False(r.RandomCrop);
        Assert.Equal(1e-4, r.FrozenLearningRate);
        Assert.Equal(new[] { "batch_size", "frozen_epochs", "unfrozen_learning_rate", "random_crop" }.Order(), r.Differences(new TrainingRecipe()).Order());
    }

    [Fact]
    public void JsonRoundTripsAndYamlRoundTrips()
    {
        var r = new TrainingRecipe { Seed = 42, PlateauFactor = 0.5, Padding = "repeat" };
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("r.json"), r.ToJson());
        File.WriteAllText(dir.File("r.yaml"), r.ToYaml());
        Assert.Equal(r, TrainingRecipe.Load(dir.File("r.json")));
        Assert.Equal(r, TrainingRecipe.Load(dir.File("r.yaml")));
        Assert.Contains("\"frozen_epochs\": 5", r.ToJson());
    }

    [Fact]
    public void UnknownKeysAndBadValuesAreNamed()
    {
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("bad.yaml"), "batch_sise: 64\n");
        var e = Assert.Throws<ClapAuditException>(() => TrainingRecipe.Load(dir.File("bad.yaml")));
        Assert.Contains("bad.yaml", e.Message);
        Assert.Contains("batch_sise", e.Message);

        File.WriteAllText(dir.File("range.yaml"), "plateau_factor: 1.5\n");
        e = Assert.Throws<ClapAuditException>(() => TrainingRecipe.Load(dir.File("range.yaml")));
        Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("plateau_factor", e.Message);

        e = Assert.Throws<ClapAuditException>(() => new TrainingRecipe().WithOverrides(["nope=1"]));
        Assert.Contains("nope", e.Message);
        e = Assert.Throws<ClapAuditException>(() => new TrainingRecipe().WithOverrides(["batch_size=many"]));
        Assert.Contains("batch_size", e.Message);
        e = Assert.Throws<ClapAuditException>(() => new TrainingRecipe().WithOverrides(["batch_size=1"]));
        Assert.Contains("batch_size", e.Message);
    }

    [Fact]
    public void CommandLineOverridesParseInvariantNumbers()
    {
        var r = new TrainingRecipe().WithOverrides(["frozen_learning_rate=3e-4", "duration_seconds=2.5", "z_normalize=false", "seed=9"]);
        Assert.Equal(3e-4, r.FrozenLearningRate);
        Assert.Equal(2.5, r.DurationSeconds);
        Assert.False(r.ZNormalize);
        Assert.Equal(9, r.Seed);
        Assert.Equal(110250, r.AudioSamples);
    }

    [Fact]
    public void AudioTrainingKeysDefaultToPannsAndReachCnn14()
    {
        var r = new TrainingRecipe();
        var panns = new Cnn14Options();
        Assert.True(r.AudioSpecAugment);
        Assert.Equal(0.2, r.AudioBlockDropout);  // PANNs models.py: F.dropout(x, p=0.2) after each conv block
        Assert.Equal(0.5, r.AudioHeadDropout);   // PANNs: p=0.5 before fc1 and on the embedding
        Assert.Equal("batch", r.AudioBatchNorm);
        Assert.Equal(0, r.RandomInitNormBatches);
        Assert.Equal(panns, r.AudioTraining(panns)); // the recipe's defaults are CNN14's own

        var set = r.WithOverrides(["audio_spec_augment=false", "audio_block_dropout=0", "audio_head_dropout=0.25",
            "audio_batch_norm=running", "random_init_norm_batches=8"]);
        var o = set.AudioTraining(Cnn14Options.Tiny);
        Assert.False(o.SpecAugment);
        Assert.Equal(0, o.BlockDropout);
        Assert.Equal(0.25, o.HeadDropout);
        Assert.Equal(Cnn14BatchNorm.Running, o.BatchNorm);
        Assert.Equal(Cnn14Options.Tiny.Channels, o.Channels); // the shape is the template's
        Assert.Equal(8, set.RandomInitNormBatches);
        Assert.Equal(new[] { "audio_batch_norm", "audio_block_dropout", "audio_head_dropout", "audio_spec_augment", "random_init_norm_batches" },
            set.Differences(r).Order());

        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("a.yaml"), "audio_spec_augment: false\nrandom_init_norm_batches: 4\n");
        var y = TrainingRecipe.Load(dir.File("a.yaml"));
        Assert.False(y.AudioSpecAugment);
        Assert.Equal(4, y.RandomInitNormBatches);
        Assert.Equal(0.2, y.AudioBlockDropout);
        Assert.Equal(set, TrainingRecipe.FromJson(set.ToJson(), "test"));

        foreach (var (bad, key) in new[] { ("audio_batch_norm=frozen", "audio_batch_norm"), ("audio_head_dropout=1", "audio_head_dropout"),
            ("audio_block_dropout=-0.1", "audio_block_dropout"), ("random_init_norm_batches=-1", "random_init_norm_batches") })
        {
            var e = Assert.Throws<ClapAuditException>(() => r.WithOverrides([bad]));
            Assert.Equal(ErrorKind.InvalidSetting, e.Kind);
            Assert.Contains(key, e.Message);
        }
    }
}
