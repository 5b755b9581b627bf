using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClapAudit.Common;
using ClapAudit.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ClapAudit.Training;

/// <summary>
/// Settings of the text backbone's pre-training on a corpus (<see cref="TextPretraining"/>): the tiny
/// BERT's shape, masked-language modelling (BERT's 15 % with the 80/10/10 rule) and the sentence-level
/// objective that shapes [CLS] (InfoNCE between two masked views of each sentence). Defaults are the
/// demo's Default preset; <see cref="Quick"/> is its --quick preset. snake_case keys in YAML/JSON
/// files and in <c>key=value</c> overrides, as <see cref="TrainingRecipe"/>.
/// </summary>
public sealed record TextPretrainRecipe
{
    // --- model (a BERT config)
    public int HiddenSize { get; init; } = 64;
    public int NumHiddenLayers { get; init; } = 2;
    public int NumAttentionHeads { get; init; } = 4;
    public int IntermediateSize { get; init; } = 128;
    /// <summary>max_position_embeddings; sentences are cut to this many tokens, [CLS] and [SEP] included.</summary>
    public int MaxPositionEmbeddings { get; init; } = 64;
    /// <summary>hidden and attention dropout while pre-training (BERT: 0.1). 0 by default: with 0.1 [CLS] took far longer to pick up the class word (docs/text-pretraining.md); written to config.json, so the CLAP trainer fine-tunes with it too.</summary>
    public double Dropout { get; init; } = 0.0;

    /// <summary>Std of the normal initialisation of weights and embeddings (BERT: 0.02); 0 keeps TorchSharp's default (Kaiming-uniform linears, N(0, 1) embeddings).</summary>
    public double InitializerRange { get; init; } = 0.02;

    // --- optimisation
    public int Steps { get; init; } = 2400;
    public int BatchSize { get; init; } = 64;
    /// <summary>AdamW peak learning rate, reached after <see cref="WarmupSteps"/>, then linear decay to 0 (BERT's schedule).</summary>
    public double LearningRate { get; init; } = 5e-3;
    public int WarmupSteps { get; init; } = 60;
    public double WeightDecay { get; init; } = 0.01;
    public double GradientClipNorm { get; init; } = 1.0;

    // --- objectives
    /// <summary>Share of the real tokens chosen for prediction (BERT: 0.15); of those 80 % become [MASK], 10 % a random word, 10 % stay.</summary>
    public double MaskProbability { get; init; } = 0.15;
    /// <summary>
    /// Weight of the [CLS] context objective: [CLS] of a sentence predicts (through the MLM head) the
    /// words of another sentence sharing its rarest word, that word excluded (0: off).
    /// </summary>
    public double ContextWeight { get; init; } = 3.0;
    /// <summary>Weight of an InfoNCE loss between the [CLS] states of two masked views of each sentence (0: off; measured worse, see docs/text-pretraining.md).</summary>
    public double ContrastiveWeight { get; init; } = 0.0;
    /// <summary>InfoNCE temperature on cosine similarities (SimCSE: 0.05).</summary>
    public double Temperature { get; init; } = 0.05;

    // --- run
    public int Seed { get; init; } = 0;
    /// <summary>torch intra-op threads (0: all cores). 1 by default: the matrices are tiny, and with 2 threads on a loaded 2-core machine a step took 20x longer (thread hand-offs).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The demo's Default preset (the record's defaults).</summary>
    public static TextPretrainRecipe Default { get; } = new();

    /// <summary>The demo's --quick preset: fewer steps, the same model.</summary>
    public static TextPretrainRecipe Quick { get; } = new() { Steps = 700, WarmupSteps = 20 };

    /// <summary>The HF BertConfig this recipe trains (vocabulary size from the vocab.txt).</summary>
    public BertConfig BertConfig(int vocabSize) => new BertConfig
    {
        VocabSize = vocabSize,
        HiddenSize = HiddenSize,
        NumHiddenLayers = NumHiddenLayers,
        NumAttentionHeads = NumAttentionHeads,
        IntermediateSize = IntermediateSize,
        HiddenAct = "gelu",
        HiddenDropoutProb = Dropout,
        AttentionProbsDropoutProb = Dropout,
        MaxPositionEmbeddings = MaxPositionEmbeddings,
        TypeVocabSize = 2,
        LayerNormEps = 1e-12,
        PadTokenId = 0,
        AddPoolingLayer = false,
    }.Validated();

    /// <summary>Checks every value; the message names the key.</summary>
    public TextPretrainRecipe Validate()
    {
        Check(HiddenSize >= 1, "hidden_size", HiddenSize, ">= 1");
        Check(NumHiddenLayers >= 1, "num_hidden_layers", NumHiddenLayers, ">= 1");
        Check(NumAttentionHeads >= 1 && HiddenSize % NumAttentionHeads == 0, "num_attention_heads", NumAttentionHeads, $">= 1 and a divisor of hidden_size {HiddenSize}");
        Check(IntermediateSize >= 1, "intermediate_size", IntermediateSize, ">= 1");
        Check(MaxPositionEmbeddings >= 3, "max_position_embeddings", MaxPositionEmbeddings, ">= 3");
        Check(Dropout >= 0 && Dropout < 1, "dropout", Dropout, "in [0, 1)");
        Check(InitializerRange >= 0, "initializer_range", InitializerRange, ">= 0");
        Check(Steps >= 1, "steps", Steps, ">= 1");
        Check(BatchSize >= 2, "batch_size", BatchSize, ">= 2 (the contrastive loss needs other sentences as negatives)");
        Check(LearningRate > 0, "learning_rate", LearningRate, "> 0");
        Check(WarmupSteps >= 0, "warmup_steps", WarmupSteps, ">= 0");
        Check(WeightDecay >= 0, "weight_decay", WeightDecay, ">= 0");
        Check(GradientClipNorm > 0, "gradient_clip_norm", GradientClipNorm, "> 0");
        Check(MaskProbability > 0 && MaskProbability < 1, "mask_probability", MaskProbability, "in (0, 1)");
        Check(ContextWeight >= 0, "context_weight", ContextWeight, ">= 0");
        Check(ContrastiveWeight >= 0, "contrastive_weight", ContrastiveWeight, ">= 0");
        Check(Temperature > 0, "temperature", Temperature, "> 0");
        Check(Threads >= 0, "threads", Threads, ">= 0");
        return this;
    }

    private static void Check(bool ok, string key, object value, string expected) => Settings.Check(ok, key, value, expected);

    // ------------------------------------------------------------------ files and overrides

    private static readonly RecipeSettings<TextPretrainRecipe> Settings = new("text pre-training", "steps, batch_size");
    internal static JsonSerializerOptions Json => RecipeSettings<TextPretrainRecipe>.Json;

    /// <summary>Reads a settings file (.yaml/.yml or .json); absent keys keep the defaults.</summary>
    public static TextPretrainRecipe Load(string path) => Settings.Load(path, "text pre-training settings file", r => r.Validate());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The keys (snake_case) in declaration order.</summary>
    public static IReadOnlyList<string> Keys => Settings.Keys;

    /// <summary>Applies <c>key=value</c> overrides (snake_case keys, invariant-culture numbers), then validates.</summary>
    public TextPretrainRecipe WithOverrides(IEnumerable<string> overrides) => Settings.WithOverrides(this, overrides, r => r.Validate());

    /// <summary>One override (not validated: call <see cref="Validate"/> after the last).</summary>
    public TextPretrainRecipe With(string key, string value) => Settings.With(this, key, value);
}
