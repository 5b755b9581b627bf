using System.Text.Json;
using ClapAudit.Common;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;

namespace ClapAudit.Synthetic;

/// <summary>
/// Sizes for <c>clapaudit demo</c>: the synthetic world, the tiny text backbone's pre-training and the
/// overrides of the real training and pre-training recipes. Only sizes change; every step runs the
/// product's own code (readers, leakage filter, pre-training, CLAP trainer, grid, report).
/// Why these values: docs/demo-world.md.
/// </summary>
public sealed record DemoPreset(
    string Name,
    SyntheticWorldOptions World,
    TextPretrainRecipe Text,
    IReadOnlyDictionary<string, string> Training,
    IReadOnlyDictionary<string, string> Pretraining,
    IReadOnlyList<int> Cnn14Channels)
{
    /// <summary>16 kHz, 1 s clips; log-mel 32 bands from a 512-point FFT, hop 160 (10 ms), 50-8000 Hz.</summary>
    private static readonly Dictionary<string, string> Audio = new()
    {
        ["sample_rate"] = "16000",
        ["duration_seconds"] = "1",
        ["window_size"] = "512",
        ["hop_size"] = "160",
        ["mel_bins"] = "32",
        ["fmin"] = "50",
        ["fmax"] = "8000",
        ["workers"] = "2",
        ["checkpoint_every"] = "0",
    };

    private static Dictionary<string, string> With(Dictionary<string, string> extra) =>
        Audio.Concat(extra).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>
    /// CLAP training: the paper's schedule (frozen backbones, then all unfrozen at a tenth of the rate),
    /// shortened, with larger rates than the paper's 1e-4/1e-5 and a batch of 32 so that a few hundred
    /// steps go somewhere. A larger unfrozen rate (1e-3) was tried: it erases the pre-trained structure that
    /// the demo is about (silhouettes of x_a fell from about 0.9 to 0.3) and made the orderings a matter of
    /// which epoch happened to be best (docs/demo-world.md, "Recipe"). SpecAugment is off because its
    /// 64-frame stripes blank half of a 1-s clip, and the random-init CNN14's BatchNorm statistics are set
    /// from 8 batches before it trains (docs/demo-world.md, "Fine-tuning on 1-s clips").
    /// </summary>
    private static Dictionary<string, string> Clap(int frozenEpochs, int maxEpochs) => With(new()
    {
        ["batch_size"] = "32",
        ["projection_dim"] = "64",
        ["text_length"] = "32",
        ["frozen_epochs"] = $"{frozenEpochs}",
        ["max_epochs"] = $"{maxEpochs}",
        ["frozen_learning_rate"] = "3e-3",
        ["unfrozen_learning_rate"] = "3e-4",
        ["audio_spec_augment"] = "false",
        ["random_init_norm_batches"] = "8",
    });

    /// <summary>
    /// CNN14 pre-training as supervised tagging. SpecAugment's 64-frame time masks would blank most of a
    /// 101-frame clip, and mixup slows learning on a small set, so both are off here (on by default).
    /// </summary>
    private static Dictionary<string, string> Pretrain(int maxEpochs) => With(new()
    {
        ["base_width"] = "8",
        ["batch_size"] = "32",
        ["max_epochs"] = $"{maxEpochs}",
        ["early_stopping_patience"] = "4",
        ["spec_augment"] = "false",
        ["mixup"] = "false",
        ["z_normalize"] = "true",
        ["validation_fraction"] = "0.1",
    });

    private static readonly RecipeSettings<SyntheticWorldOptions> WorldSettings = new("world", "test_classes, captioned_clips_per_class");
    private static readonly string[] Sections = ["world", "text", "training", "pretraining"];

    /// <summary>
    /// Applies <c>section.key=value</c> overrides (<c>world.</c>, <c>text.</c>, <c>training.</c>,
    /// <c>pretraining.</c>; snake_case keys, invariant-culture numbers), e.g. <c>world.test_classes=12</c> or
    /// <c>training.max_epochs=10</c>. Every key is checked here, training and pre-training keys by their
    /// recipes, with the same messages as <c>train --set</c> and <c>pretrain --set</c>.
    /// </summary>
    public DemoPreset WithOverrides(IEnumerable<string> overrides)
    {
        var world = World;
        var text = Text;
        var training = new Dictionary<string, string>(Training);
        var pretraining = new Dictionary<string, string>(Pretraining);
        foreach (string item in overrides)
        {
            int dot = item.IndexOf('.'), eq = item.IndexOf('=');
            if (dot <= 0 || eq <= dot + 1)
                throw new ClapAuditException(ErrorKind.InvalidSetting,
                    $"demo override '{item}': expected section.key=value with section one of {string.Join(", ", Sections)}, e.g. world.test_classes=12");
            string section = item[..dot], key = item[(dot + 1)..eq].Trim(), value = item[(eq + 1)..].Trim();
            switch (section)
            {
                case "world": world = WorldSettings.With(world, key, value); break;
                case "text": text = text.With(key, value); break;
                case "training": training[key] = value; break;
                case "pretraining": pretraining[key] = value; break;
                default:
                    throw new ClapAuditException(ErrorKind.InvalidSetting,
                        $"demo override '{item}': unknown section '{section}', expected one of {string.Join(", ", Sections)}");
            }
        }
        world.Validate();
        text.Validate();
        // The recipes are built now, so a bad training or pre-training key fails before the world is generated.
        _ = new TrainingRecipe().WithOverrides(training.Select(kv => $"{kv.Key}={kv.Value}"));
        _ = new PretrainRecipe().WithOverrides(pretraining.Select(kv => $"{kv.Key}={kv.Value}"));
        return this with { World = world, Text = text, Training = training, Pretraining = pretraining };
    }

    /// <summary>
    /// Records the preset and seed in <c>DIR/demo.json</c>, or checks that an earlier run in
    /// <paramref name="root"/> used the same ones. A rerun reuses every finished step, so a rerun with
    /// other sizes or another seed would mix old and new results: it is refused instead, naming the folder.
    /// </summary>
    public void Claim(string root, int seed)
    {
        string path = Path.Combine(root, "demo.json");
        string json = JsonSerializer.Serialize(new
        {
            preset = Name,
            seed,
            world = World with { Seed = seed },
            text = Text with { Seed = seed, Threads = 0 },
            training = new SortedDictionary<string, string>(Training.ToDictionary(), StringComparer.Ordinal),
            pretraining = new SortedDictionary<string, string>(Pretraining.ToDictionary(), StringComparer.Ordinal),
            cnn14_channels = Cnn14Channels,
        }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        if (File.Exists(path))
        {
            if (File.ReadAllText(path) != json)
                throw new ClapAuditException(ErrorKind.InvalidSetting,
                    $"{root} holds a demo run with other settings or another seed (see {path}); use another --out, or delete that folder to start over");
            return;
        }
        Directory.CreateDirectory(root);
        AtomicFile.WriteAllText(path, json);
    }

    private static readonly int[] Widths = [8, 16, 32, 64, 128, 256];

    public static DemoPreset Quick { get; } = new("quick", SyntheticWorldOptions.Quick, TextPretrainRecipe.Quick,
        Clap(frozenEpochs: 2, maxEpochs: 3), Pretrain(maxEpochs: 6), Widths);

    public static DemoPreset Default { get; } = new("default", SyntheticWorldOptions.Default, TextPretrainRecipe.Default,
        Clap(frozenEpochs: 6, maxEpochs: 9), Pretrain(maxEpochs: 6), Widths);
}
