using System.Text.Json;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using ClapAudit.Training;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>
/// A small corpus in the synthetic world's format (docs/demo-world.md): each class has an invented
/// name and synonym, and every context sentence is written once with each, so the two words share
/// their contexts; classes differ in their attribute words.
/// </summary>
internal static class TinyCorpus
{
    public static readonly NamePair[] Pairs =
    [
        new("brolk", "vintesk"), new("glarp", "snoftik"), new("trunzel", "kwipsom"), new("daplort", "smeegrib"),
        new("fristam", "yoltrik"), new("zumbelk", "pravnot"), new("hoskirt", "lemfrung"), new("quandrel", "stibwog"),
        new("jorvat", "plenkif"), new("cadrunt", "wobsnil"), new("migrof", "tulspen"), new("narbick", "zelfrod"),
    ];

    // As in the world, each attribute word is shared by several classes, so a class word is the rarest word of its sentences.
    private static readonly string[] Pitch = ["deep", "low", "high", "shrill"];
    private static readonly string[] Rhythm = ["steady", "throbbing", "fluttering"];
    private static readonly string[] Source = ["tone", "hiss", "buzz"];
    private static readonly string[] Envelope = ["level", "swelling", "fading"];
    private static readonly string[] Contexts = ["in a quiet room", "far away", "close to the microphone", "outdoors"];

    // The synthetic world's corpus templates ({n} class word, {p} pitch, {r} rhythm, {s} source, {e} envelope, {c} context).
    private static readonly string[] Templates =
    [
        "a {n} sounds {p} and {r}", "you can hear a {n} {c}", "the {n} makes a {e} {s}", "a {n} is a kind of {p} {s}",
        "the sound of a {n} is {r}", "i heard a {n} {c}, {p} and {e}", "a {n} always gives a {r} {s}",
        "people say the {n} is {p} and {e}", "this is a sound of {n}", "a {e} {s} {c} means a {n}",
    ];

    /// <summary>Lines of the corpus; class k has pitch k mod 4 and rhythm k mod 3 (a unique pair), source k / 4, envelope (k + 1) mod 3.</summary>
    public static List<string> Lines(int contextsPerClass = 30, int seed = 7)
    {
        var rng = new Random(seed);
        var lines = new List<string>();
        for (int k = 0; k < Pairs.Length; k++)
        {
            for (int m = 0; m < contextsPerClass; m++)
            {
                string t = Templates[m % Templates.Length]
                    .Replace("{p}", Pitch[k % 4]).Replace("{r}", Rhythm[k % 3])
                    .Replace("{s}", Source[k / 4]).Replace("{e}", Envelope[(k + 1) % 3])
                    .Replace("{c}", Contexts[rng.Next(Contexts.Length)]);
                lines.Add(Sentence(t.Replace("{n}", Pairs[k].Name)));
                lines.Add(Sentence(t.Replace("{n}", Pairs[k].Synonym)));
            }
        }
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(lines));
        return lines;
    }

    public static string Write(string dir)
    {
        string path = Path.Combine(dir, "corpus.txt");
        File.WriteAllLines(path, Lines());
        return path;
    }

    private static string Sentence(string s) => char.ToUpperInvariant(s[0]) + s[1..] + ".";
}

/// <summary>One quick pre-training on the tiny corpus, shared by the tests that read its output.</summary>
public sealed class PretrainedTinyBert : IDisposable
{
    public static readonly TextPretrainRecipe Recipe = TextPretrainRecipe.Quick with { Steps = 600, WarmupSteps = 20, BatchSize = 32, Seed = 3 };

    public PretrainedTinyBert()
    {
        Corpus = TinyCorpus.Write(Dir.Path);
        Result = TextPretraining.Run(new TextPretrainJob(Corpus, Out, Recipe) { ProbePairs = TinyCorpus.Pairs });
    }

    public TempDir Dir { get; } = Fixtures.TempDir();
    public string Corpus { get; }
    public string Out => Path.Combine(Dir.Path, "bert");
    public TextPretrainResult Result { get; }

    public void Dispose() => Dir.Dispose();
}

// torch's default generator (init, dropout) is process-wide: runs must not overlap with other tests that seed it.
[CollectionDefinition(nameof(TextPretrainingCollection), DisableParallelization = true)]
public sealed class TextPretrainingCollection;

[Collection(nameof(TextPretrainingCollection))]
public sealed class TextPretrainingTests(PretrainedTinyBert run) : IClassFixture<PretrainedTinyBert>
{
    [Fact]
    public void MaskedLanguageModelLossFalls()
    {
        var r = run.Result;
        Assert.Equal(600, r.Steps);
        Assert.False(r.Cancelled);
        // Uniform guessing over the vocabulary costs ln(V) nats; the first tenth is near it, the last well below.
        Assert.InRange(r.InitialMlmLoss, 0.7 * Math.Log(r.VocabSize), 1.2 * Math.Log(r.VocabSize));
        Assert.True(r.FinalMlmLoss < 0.75 * r.InitialMlmLoss, $"MLM loss {r.InitialMlmLoss:0.000} -> {r.FinalMlmLoss:0.000}");
        Assert.True(r.FinalClsLoss < r.InitialClsLoss, $"[CLS] loss {r.InitialClsLoss:0.000} -> {r.FinalClsLoss:0.000}");
    }

    [Fact]
    public void FolderLoadsStrictlyAsHuggingFaceBert()
    {
        using var loaded = HuggingFaceBert.Load(run.Out, strict: true);
        Assert.True(loaded.Report.IsExact);
        var c = loaded.Config;
        Assert.Equal((64, 2, 4, 128, 64, "gelu", 2, 1e-12, 0), (c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize, c.MaxPositionEmbeddings, c.HiddenAct, c.TypeVocabSize, c.LayerNormEps, c.PadTokenId));
        Assert.Equal(run.Result.VocabSize, c.VocabSize);

        // Every corpus word is one token: the vocabulary was built from the corpus.
        var tok = BertTokenizer.Load(run.Out);
        var enc = tok.Encode("This is a sound of Vintesk.");
        Assert.Equal(["[CLS]", "this", "is", "a", "sound", "of", "vintesk", ".", "[SEP]"], enc.Tokens);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], Enumerable.Range(0, 5).Select(tok.Vocabulary.Token));

        // The loaded model gives the probe's numbers again (eval mode, the same x_t).
        var again = SynonymProbe.Measure(loaded.Model, loaded.Tokenizer, TinyCorpus.Pairs);
        Assert.Equal(run.Result.FinalProbe!.SynonymCosine, again.SynonymCosine, 5);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Out, "config.json")));
        Assert.Equal("bert", doc.RootElement.GetProperty("model_type").GetString());
        Assert.Equal("BertForMaskedLM", doc.RootElement.GetProperty("architectures")[0].GetString());
        using var tc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Out, "tokenizer_config.json")));
        Assert.True(tc.RootElement.GetProperty("do_lower_case").GetBoolean());
    }

    [Fact]
    public void SafetensorsHasHuggingFaceKeysAndRoundTrips()
    {
        using var sd = SafeTensorsFile.Read(Path.Combine(run.Out, "model.safetensors"));
        Assert.Equal("pt", sd.Metadata["format"]);
        Assert.All(sd.Keys, k => Assert.True(k.StartsWith("bert.", StringComparison.Ordinal) || k.StartsWith("cls.predictions.", StringComparison.Ordinal), k));
        foreach (var k in new[] { "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.LayerNorm.weight", "cls.predictions.decoder.weight", "bert.encoder.layer.1.output.LayerNorm.bias" })
            Assert.True(sd.ContainsKey(k), k);
        Assert.False(sd.ContainsKey("bert.pooler.dense.weight"));
        Assert.True(sd["cls.predictions.decoder.weight"].allclose(sd["bert.embeddings.word_embeddings.weight"], 0, 0), "decoder tied to the word embeddings");

        // Writer -> reader: names, order, shapes, dtypes and values survive; the data section starts 8-aligned.
        using var dir = Fixtures.TempDir();
        string path = dir.File("rt.safetensors");
        using var a = randn(3, 5);
        using var b = arange(7L);
        using var d = tensor(new double[] { 1.5, -2.25 });
        SafeTensorsWriter.Write(path, [new("z.first", a), new("a.second", b), new("m.third", d)], new Dictionary<string, string> { ["note"] = "x" });
        using var back = SafeTensorsFile.Read(path);
        Assert.Equal(["z.first", "a.second", "m.third"], back.Keys);
        Assert.True(back["z.first"].allclose(a, 0, 0));
        Assert.True(back["a.second"].allclose(b, 0, 0));
        Assert.Equal(ScalarType.Float64, back["m.third"].dtype);
        Assert.Equal("x", back.Metadata["note"]);
        ulong headerLength = BitConverter.ToUInt64(File.ReadAllBytes(path).AsSpan(0, 8));
        Assert.Equal(0UL, (8 + headerLength) % 8);
    }
}

[Collection(nameof(TextPretrainingCollection))]
public sealed class TextPretrainingRunTests
{
    [Fact]
    public void SameSeedSameWeightsOtherSeedOther()
    {
        using var dir = Fixtures.TempDir();
        string corpus = TinyCorpus.Write(dir.Path);
        var recipe = TextPretrainRecipe.Quick with { Steps = 6, WarmupSteps = 2, BatchSize = 16, Seed = 11 };
        byte[] Weights(string name, TextPretrainRecipe r)
        {
            TextPretraining.Run(new TextPretrainJob(corpus, dir.File(name), r));
            return File.ReadAllBytes(Path.Combine(dir.File(name), "model.safetensors"));
        }
        var first = Weights("a", recipe);
        var second = Weights("b", recipe);
        var other = Weights("c", recipe with { Seed = 12 });
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void GivenVocabularyIsUsedAndCopied()
    {
        using var dir = Fixtures.TempDir();
        string corpus = TinyCorpus.Write(dir.Path);
        var vocab = TextCorpus.BuildVocabulary(File.ReadLines(corpus)).Concat(["zzextra", "##q"]).ToList();
        File.WriteAllLines(dir.File("vocab.txt"), vocab);
        var r = TextPretraining.Run(new TextPretrainJob(corpus, dir.File("out"), TextPretrainRecipe.Quick with { Steps = 2, BatchSize = 8 }) { VocabPath = dir.File("vocab.txt") });
        Assert.Equal(vocab.Count, r.VocabSize);
        Assert.Equal(vocab, File.ReadAllLines(Path.Combine(dir.File("out"), "vocab.txt")));
    }

    [Fact]
    public void RecipeOverridesAndValidation()
    {
        var r = TextPretrainRecipe.Default.WithOverrides(["steps=42", "learning_rate=0.0005", "mask_probability=0.2"]);
        Assert.Equal((42, 5e-4, 0.2), (r.Steps, r.LearningRate, r.MaskProbability));
        var e = Assert.Throws<ClapAuditException>(() => TextPretrainRecipe.Default.WithOverrides(["num_attention_heads=5"]));
        Assert.Contains("num_attention_heads", e.Message);
        e = Assert.Throws<ClapAuditException>(() => TextPretrainRecipe.Default.WithOverrides(["stepz=1"]));
        Assert.Contains("unknown", e.Message);
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("r.yaml"), "steps: 17\ncontrastive_weight: 0.5\n");
        var loaded = TextPretrainRecipe.Load(dir.File("r.yaml"));
        Assert.Equal((17, 0.5, 64), (loaded.Steps, loaded.ContrastiveWeight, loaded.HiddenSize));
        // Warm-up then linear decay to zero at the end.
        var s = TextPretrainRecipe.Default with { Steps = 100, WarmupSteps = 10, LearningRate = 1e-3 };
        Assert.Equal(1e-4, TextPretraining.LearningRate(s, 0), 12);
        Assert.Equal(1e-3, TextPretraining.LearningRate(s, 9), 12);
        Assert.Equal(1e-3 / 90, TextPretraining.LearningRate(s, 99), 12);
    }

    [Fact]
    public void VocabularyBuiltFromCorpus()
    {
        var v = TextCorpus.BuildVocabulary(["A Brolk hums, far away.", "the brolk"]);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ",", ".", "a", "away", "brolk", "far", "hums", "the"], v);
    }
}
