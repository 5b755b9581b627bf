using System.Reflection;
using ClapAudit.Common;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ClapAudit.Experiments;

/// <summary>
/// What a grid runs: the data folders, the backbones, which setups, and overrides of the training
/// and pre-training recipes. Read from YAML (snake_case keys); relative paths are resolved against
/// the config file's folder. See docs/cli.md (grid) for an example.
/// </summary>
public sealed record GridConfig
{
    public string Title { get; init; } = "ClapAudit grid";
    /// <summary>ESC-50-style folder: the zero-shot test set and the source of the leakage word list.</summary>
    public string? Esc50 { get; init; }
    /// <summary>Hugging Face BERT folder (config.json, vocab.txt, model.safetensors or pytorch_model.bin).</summary>
    public string? Bert { get; init; }
    /// <summary>Captioned training data (any subset).</summary>
    public string? Clotho { get; init; }
    public string? AudioCaps { get; init; }
    public string? Fsd50k { get; init; }
    public string? Macs { get; init; }
    /// <summary>PANNs-format CNN14 for "dirty" pre-training (e.g. Cnn14_mAP=0.431.pth). Null: pre-train one here on all of <see cref="AudioSet"/>.</summary>
    public string? Cnn14Dirty { get; init; }
    /// <summary>AudioSet-style labelled audio for "clean" pre-training (test classes removed), and for "dirty" when no checkpoint is given.</summary>
    public string? AudioSet { get; init; }
    /// <summary>Which setups to run ("dirty/clean" ...); empty: all six.</summary>
    public List<string> Setups { get; init; } = [];
    /// <summary>TrainingRecipe overrides (snake_case key: value).</summary>
    public Dictionary<string, string> Training { get; init; } = [];
    /// <summary>PretrainRecipe overrides (snake_case key: value).</summary>
    public Dictionary<string, string> Pretraining { get; init; } = [];
    /// <summary>CNN14 widths for the "none" (random) initialisation; empty: the dirty checkpoint's, else PANNs'.</summary>
    public List<int> RandomInitChannels { get; init; } = [];
    public string Prompt { get; init; } = "this is a sound of {class}";
    /// <summary>Leakage filter word matching: exact (the paper's literal rule) or stem.</summary>
    public string Match { get; init; } = "exact";
    /// <summary>Clean training also leaves out the items whose audio holds a test clip (<c>data overlap --content</c>
    /// against <see cref="Esc50"/>, by source id and by fingerprint; written to data/clean/overlap/).</summary>
    public bool ExcludeOverlap { get; init; }
    public int Seed { get; init; } = 0;
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; } = 0;
    /// <summary>Also compute t-SNE maps and write the report at the end.</summary>
    public bool Report { get; init; } = true;

    /// <summary>
    /// Keys (snake_case; <c>training.x</c> for recipe entries) whose values differ between two configs,
    /// ignoring those that do not change results: title, threads, device and the report switch.
    /// </summary>
    public IReadOnlyList<string> ResultDifferences(GridConfig other)
    {
        var diff = new List<string>();
        void Compare<T>(string key, T a, T b) { if (!EqualityComparer<T>.Default.Equals(a, b)) diff.Add(key); }
        void CompareMap(string section, Dictionary<string, string> a, Dictionary<string, string> b)
        {
            foreach (string key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
                if (a.GetValueOrDefault(key) != b.GetValueOrDefault(key)) diff.Add($"{section}.{key}");
        }
        Compare("esc50", Esc50, other.Esc50); Compare("bert", Bert, other.Bert); Compare("clotho", Clotho, other.Clotho);
        Compare("audio_caps", AudioCaps, other.AudioCaps); Compare("fsd50k", Fsd50k, other.Fsd50k); Compare("macs", Macs, other.Macs);
        Compare("cnn14_dirty", Cnn14Dirty, other.Cnn14Dirty); Compare("audio_set", AudioSet, other.AudioSet);
        Compare("prompt", Prompt, other.Prompt); Compare("match", Match, other.Match); Compare("seed", Seed, other.Seed);
        Compare("exclude_overlap", ExcludeOverlap, other.ExcludeOverlap);
        if (!RandomInitChannels.SequenceEqual(other.RandomInitChannels)) diff.Add("random_init_channels");
        CompareMap("training", Training, other.Training);
        CompareMap("pretraining", Pretraining, other.Pretraining);
        return diff;
    }

    /// <summary>The setups to run, in the paper's order.</summary>
    public IReadOnlyList<GridSetup> SelectedSetups()
    {
        if (Setups.Count == 0) return GridSetup.All;
        var chosen = Setups.Select(GridSetup.Parse).ToHashSet();
        return GridSetup.All.Where(chosen.Contains).ToArray();
    }

    /// <summary>The top-level keys a config may hold (snake_case of the properties).</summary>
    public static IReadOnlyList<string> Keys { get; } = typeof(GridConfig)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name))
        .ToArray();

    /// <summary>
    /// Reads and validates the whole config before any step runs: unknown keys at the top level and in
    /// <c>training</c>/<c>pretraining</c> are errors naming the key, its section and the known keys.
    /// </summary>
    public static GridConfig Load(string path)
    {
        Guard.FileExists(path, "grid config");
        string text = File.ReadAllText(path);
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        GridConfig config;
        try
        {
            // Top-level keys first, so an unknown one gets the list of known keys rather than YamlDotNet's type name.
            IEnumerable<string> keys = deserializer.Deserialize<Dictionary<string, object?>?>(text)?.Keys
                ?? Enumerable.Empty<string>();
            foreach (string key in keys)
                if (!Keys.Contains(key))
                    throw new ClapAuditException(ErrorKind.InvalidSetting,
                        $"{path}: unknown key '{key}' at the top level of the grid config; " +
                        $"known keys: {string.Join(", ", Keys)}");
            config = deserializer.Deserialize<GridConfig?>(text) ?? new GridConfig();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}");
        }
        return config.ResolvedAgainst(Path.GetDirectoryName(Path.GetFullPath(path))!).Validated(path);
    }

    /// <summary>The CLAP recipe of every setup: the grid's seed, device and threads, then <c>training</c>.</summary>
    public TrainingRecipe BuildTrainingRecipe() =>
        new TrainingRecipe { Seed = Seed, Device = Device, Threads = Threads }.WithOverrides(Overrides(Training));

    /// <summary>The CNN14 pre-training recipe: the grid's seed, device and threads, then <c>pretraining</c>.</summary>
    public PretrainRecipe BuildPretrainRecipe() =>
        new PretrainRecipe { Seed = Seed, Device = Device, Threads = Threads }.WithOverrides(Overrides(Pretraining));

    private static IEnumerable<string> Overrides(Dictionary<string, string> section) =>
        section.Select(kv => $"{kv.Key}={kv.Value}");

    /// <summary>Relative paths made absolute against <paramref name="folder"/>.</summary>
    public GridConfig ResolvedAgainst(string folder)
    {
        string? R(string? p) => string.IsNullOrWhiteSpace(p) ? null : Path.GetFullPath(Path.Combine(folder, p));
        return this with
        {
            Esc50 = R(Esc50),
            Bert = R(Bert),
            Clotho = R(Clotho),
            AudioCaps = R(AudioCaps),
            Fsd50k = R(Fsd50k),
            Macs = R(Macs),
            Cnn14Dirty = R(Cnn14Dirty),
            AudioSet = R(AudioSet),
        };
    }

    public GridConfig Validated(string source = "grid config")
    {
        var setups = Section(source, "setups", SelectedSetups);
        void Need(bool ok, string what) { if (!ok) throw new ClapAuditException(ErrorKind.InvalidSetting, $"{source}: {what}"); }
        Need(Esc50 is not null, "esc50 (the ESC-50-style test folder) is required");
        Need(Bert is not null, "bert (a Hugging Face BERT folder) is required");
        Need(Clotho is not null || AudioCaps is not null || Fsd50k is not null || Macs is not null,
            "at least one training dataset (clotho, audio_caps, fsd50k, macs) is required");
        if (setups.Any(s => s.PreTraining == "clean"))
            Need(AudioSet is not null, "audio_set (AudioSet-style labelled audio) is required for clean pre-training");
        if (setups.Any(s => s.PreTraining == "dirty"))
            Need(Cnn14Dirty is not null || AudioSet is not null, "dirty pre-training needs cnn14_dirty (a PANNs checkpoint) or audio_set to pre-train on");
        Need(Match is "exact" or "stem", $"match must be exact or stem, got '{Match}'");
        Need(Prompt.Contains("{class}"), $"prompt '{Prompt}' must contain {{class}}");
        Need(RandomInitChannels.All(c => c > 0), "random_init_channels must be positive widths");
        // The recipes are built here, not when their step starts, so a bad key fails before the data steps run.
        Section(source, "training", () => BuildTrainingRecipe());
        Section(source, "pretraining", () => BuildPretrainRecipe());
        return this;
    }

    private static T Section<T>(string source, string section, Func<T> build)
    {
        try { return build(); }
        catch (ClapAuditException e) { throw new ClapAuditException(e.Kind, $"{source}: {section}: {e.Message}"); }
    }
}
