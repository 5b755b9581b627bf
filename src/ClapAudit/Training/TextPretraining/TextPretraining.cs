using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Models;
using ClapAudit.Text;
using ClapAudit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;
using ClapAudit.Interop;

namespace ClapAudit.Training;

/// <summary>What to pre-train on and where to write the Hugging Face folder.</summary>
/// <param name="CorpusPath">One sentence a line.</param>
/// <param name="OutFolder">Receives config.json, vocab.txt, tokenizer_config.json, model.safetensors, pretrain.json.</param>
/// <param name="Recipe">Model shape, objectives and schedule.</param>
public sealed record TextPretrainJob(string CorpusPath, string OutFolder, TextPretrainRecipe Recipe)
{
    /// <summary>A vocab.txt to use (copied to the output); null: a word-level vocabulary is built from the corpus.</summary>
    public string? VocabPath { get; init; }

    /// <summary>Name/synonym pairs for the synonym probe before and after training (evaluation only; never trained on).</summary>
    public IReadOnlyList<NamePair>? ProbePairs { get; init; }
}

/// <summary>The outcome: losses (means over the first and last tenth of the steps; ClsLoss is the weighted sum of the [CLS] objectives), probes, sizes and time.</summary>
public sealed record TextPretrainResult(
    string OutFolder, int Steps, int Sentences, int VocabSize, long Parameters,
    double InitialMlmLoss, double FinalMlmLoss, double InitialClsLoss, double FinalClsLoss,
    SynonymProbeResult? InitialProbe, SynonymProbeResult? FinalProbe, bool Cancelled, TimeSpan Elapsed);

/// <summary>
/// Gives a tiny BERT a structure from a text corpus alone, and writes it as a Hugging Face
/// BertForMaskedLM folder that <see cref="HuggingFaceBert.Load"/> reads strictly. Two objectives,
/// summed: masked-language modelling (BERT's 15 % rule, tied decoder, <c>cls.predictions.*</c>), which
/// trains the token states but not [CLS]; and InfoNCE between the [CLS] states of two independently
/// masked (and dropout-noised) views of each sentence, the other sentences of the batch as negatives,
/// which shapes x_t (= [CLS]) so that sentences whose content words predict one another land together.
/// Nothing but the corpus is used (docs/text-pretraining.md gives the reasons and the figures).
/// </summary>
public static class TextPretraining
{
    private const long IgnoreIndex = -100;

    public static TextPretrainResult Run(TextPretrainJob job, IProgress<TrainingProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var r = job.Recipe.Validate();
        var clock = Stopwatch.StartNew();
        var sentences = TextCorpus.ReadSentences(job.CorpusPath);
        var vocabTokens = job.VocabPath is { } vp ? ReadVocab(vp) : TextCorpus.BuildVocabulary(sentences);
        var vocab = new WordPieceVocabulary(vocabTokens, job.VocabPath ?? "corpus vocabulary");
        Guard.Data(vocab.MaskId >= 0, $"{job.VocabPath}: the vocabulary has no [MASK] token, which masked-language modelling needs");
        var tokenizer = new BertTokenizer(vocab);
        var encoded = sentences.Select(s => tokenizer.Encode(s, r.MaxPositionEmbeddings).Ids).ToArray();
        // Identical lines (the corpus repeats some) must not be each other's negatives.
        var textIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var canonical = sentences.Select(s => textIds.TryGetValue(s, out int id) ? id : textIds[s] = textIds.Count).ToArray();
        var wordIds = Enumerable.Range(0, vocab.Count).Where(i => !vocab.Token(i).StartsWith('[')).ToArray();
        Guard.Data(wordIds.Length > 0, "the vocabulary has no words besides special tokens");
        var (anchors, groups) = Anchors(encoded, vocab);
        var idf = InverseDocumentFrequency(encoded, vocab.Count);

        DeviceSelector.SetThreads(r.Threads);
        var config = r.BertConfig(vocab.Count);
        manual_seed(DeterministicSeed.Torch(r.Seed, SeedStream.TextInit));
        using var model = new BertModel(config);
        using var head = new MaskedLmHead(config);
        if (r.InitializerRange > 0) InitializeLikeBert(model, head, config.PadTokenId, r.InitializerRange);
        var wordEmbeddings = model.named_parameters().Single(p => p.name == "embeddings.word_embeddings.weight").parameter;
        var parameters = model.parameters().Concat(head.parameters()).ToList();
        long parameterCount = parameters.Sum(p => p.numel());

        var initialProbe = job.ProbePairs is { Count: >= 2 } pairs0 ? SynonymProbe.Measure(model, tokenizer, pairs0) : null;

        using var optimizer = new ScalarSafeAdamW(parameters, r.LearningRate, weight_decay: r.WeightDecay);
        var mlmLosses = new List<double>(r.Steps);
        var conLosses = new List<double>(r.Steps);
        int[] order = [];
        int cursor = int.MaxValue, epoch = -1;
        bool cancelled = false;
        var stepClock = Stopwatch.StartNew();
        model.train();
        head.train();
        for (int step = 0; step < r.Steps; step++)
        {
            if (ct.IsCancellationRequested) { cancelled = true; break; }
            var batch = new int[Math.Min(r.BatchSize, sentences.Count)];
            for (int b = 0; b < batch.Length; b++)
            {
                if (cursor >= order.Length)
                {
                    epoch++;
                    order = Enumerable.Range(0, sentences.Count).ToArray();
                    DeterministicSeed.Random(r.Seed, SeedStream.TextOrder, epoch).Shuffle(order);
                    cursor = 0;
                }
                batch[b] = order[cursor++];
            }
            double lr = LearningRate(r, step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            var (mlm, con) = Step(model, head, wordEmbeddings, optimizer, r, step, batch, encoded, canonical, vocab, wordIds, anchors, groups, idf);
            Guard.Data(double.IsFinite(mlm) && double.IsFinite(con),
                $"text pre-training diverged at step {step + 1} (MLM loss {mlm}, [CLS] loss {con}); lower learning_rate");
            mlmLosses.Add(mlm);
            conLosses.Add(con);
            double secondsPerStep = stepClock.Elapsed.TotalSeconds / (step + 1);
            progress?.Report(new TrainingProgress
            {
                Event = TrainingEvent.Step,
                Step = step + 1,
                StepsInEpoch = r.Steps,
                GlobalStep = step + 1,
                Phase = TrainingPhase.Unfrozen,
                Loss = mlm + con,
                EpochLoss = mlm,
                LearningRate = lr,
                Eta = TimeSpan.FromSeconds(secondsPerStep * (r.Steps - step - 1)),
                Message = $"MLM {mlm:0.000}, [CLS] {con:0.000}",
            });
        }
        model.eval();
        head.eval();
        var finalProbe = job.ProbePairs is { Count: >= 2 } pairs1 ? SynonymProbe.Measure(model, tokenizer, pairs1) : null;

        int tenth = Math.Max(1, mlmLosses.Count / 10);
        var result = new TextPretrainResult(
            Path.GetFullPath(job.OutFolder), mlmLosses.Count, sentences.Count, vocab.Count, parameterCount,
            Mean(mlmLosses.Take(tenth)), Mean(mlmLosses.TakeLast(tenth)), Mean(conLosses.Take(tenth)), Mean(conLosses.TakeLast(tenth)),
            initialProbe, finalProbe, cancelled, clock.Elapsed);
        if (!cancelled) WriteFolder(job, r, config, vocabTokens, model, head, wordEmbeddings, result);
        return result with { Elapsed = clock.Elapsed };
    }

    /// <summary>Linear warm-up to the peak, then linear decay to 0 at the last step (BERT's schedule).</summary>
    public static double LearningRate(TextPretrainRecipe r, int step)
    {
        if (step < r.WarmupSteps) return r.LearningRate * (step + 1) / r.WarmupSteps;
        int decaySteps = Math.Max(1, r.Steps - r.WarmupSteps);
        return r.LearningRate * Math.Max(0.0, (double)(r.Steps - step) / decaySteps);
    }

    private static (double Mlm, double Con) Step(BertModel model, MaskedLmHead head, Tensor wordEmbeddings, optim.Optimizer optimizer,
        TextPretrainRecipe r, int step, int[] batch, int[][] encoded, int[] canonical, WordPieceVocabulary vocab, int[] wordIds,
        int[] anchors, Dictionary<int, int[]> groups, float[] idf)
    {
        using var scope = NewDisposeScope();
        int b = batch.Length;
        int views = r.ContrastiveWeight > 0 ? 2 : 1;
        int length = batch.Max(i => encoded[i].Length);
        var ids = new long[views * b * length];
        var mask = new long[views * b * length];
        var labels = new long[views * b * length];
        Array.Fill(labels, IgnoreIndex);
        var rng = DeterministicSeed.Random(r.Seed, SeedStream.TextMasking, step);
        for (int view = 0; view < views; view++)
        {
            for (int row = 0; row < b; row++)
            {
                var s = encoded[batch[row]];
                int o = (view * b + row) * length;
                for (int j = 0; j < s.Length; j++)
                {
                    ids[o + j] = s[j];
                    mask[o + j] = 1;
                    // [CLS] and [SEP] are never chosen (HF's special_tokens_mask).
                    if (j == 0 || j == s.Length - 1 || rng.NextDouble() >= r.MaskProbability) continue;
                    labels[o + j] = s[j];
                    double u = rng.NextDouble();
                    if (u < 0.8) ids[o + j] = vocab.MaskId;
                    else if (u < 0.9) ids[o + j] = wordIds[rng.Next(wordIds.Length)];
                }
                for (int j = s.Length; j < length; j++) ids[o + j] = vocab.PadId;
            }
        }
        // Dropout noise depends on the seed and the step only.
        manual_seed(DeterministicSeed.Torch(r.Seed, SeedStream.TextStep, step));
        var idsT = tensor(ids, [views * b, length]);
        var maskT = tensor(mask, [views * b, length]);
        var labelsT = tensor(labels, [(long)views * b * length]);
        var hidden = model.call(idsT, maskT);
        long h = hidden.shape[2];

        using var ignore = IgnoreIndex.ToScalar();
        var picked = labelsT.ne(ignore).nonzero().squeeze(1);
        var mlm = picked.shape[0] > 0
            ? nn.functional.cross_entropy(head.call(hidden.reshape(-1, h).index_select(0, picked), wordEmbeddings), labelsT.index_select(0, picked))
            : zeros(1).sum();

        var cls = hidden.select(1, 0);
        Tensor ctxLoss;
        if (r.ContextWeight > 0)
        {
            // Target: the word distribution of a partner sentence sharing this sentence's anchor
            // (rarest) word, the anchor itself excluded, so two words used in the same contexts get
            // the same target whatever their own identity.
            var target = new float[b * vocab.Count];
            for (int row = 0; row < b; row++)
            {
                int s = batch[row];
                var group = groups[anchors[s]];
                int partner = group.Length > 1 ? group[rng.Next(group.Length)] : s;
                if (partner == s && group.Length > 1) partner = group[(Array.IndexOf(group, s) + 1) % group.Length];
                var words = encoded[partner].Where(t => t != anchors[s] && t != vocab.ClsId && t != vocab.SepId && t != vocab.PadId).ToArray();
                float total = words.Sum(t => idf[t]);
                if (total > 0) foreach (int t in words) target[row * vocab.Count + t] += idf[t] / total;
            }
            var targetT = tensor(target, [b, vocab.Count]);
            if (views > 1) targetT = cat([targetT, targetT], 0);
            var logp = nn.functional.log_softmax(head.call(cls, wordEmbeddings), 1);
            ctxLoss = -(targetT * logp).sum(1).mean();
        }
        else ctxLoss = zeros(1).sum();

        Tensor con;
        if (r.ContrastiveWeight > 0)
        {
            var z = nn.functional.normalize(cls, p: 2, dim: 1);
            var sim = z[..b].matmul(z[b..].t()).DividedBy(r.Temperature);
            var same = new bool[b * b];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                    same[i * b + j] = i != j && canonical[batch[i]] == canonical[batch[j]];
            using var minusInfinity = float.NegativeInfinity.ToScalar();
            sim = sim.masked_fill(tensor(same, [b, b]), minusInfinity);
            var target = SafeScalars.Arange(b, ScalarType.Int64);
            con = nn.functional.cross_entropy(sim, target).Plus(nn.functional.cross_entropy(sim.t(), target)).DividedBy(2);
        }
        else con = zeros(1).sum();

        var sentence = ctxLoss.Times(r.ContextWeight).Plus(con.Times(r.ContrastiveWeight));
        var loss = mlm.Plus(sentence);
        optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(optimizer.parameters(), r.GradientClipNorm);
        optimizer.step();
        return (mlm.item<float>(), sentence.item<float>());
    }

    /// <summary>
    /// Each sentence's anchor: its least frequent word in the corpus (ties: the lower id), and the
    /// sentences grouped by anchor. In the synthetic corpus the anchor is the class word (name or
    /// synonym), but nothing here knows that: it is word frequency only.
    /// </summary>
    internal static (int[] Anchors, Dictionary<int, int[]> Groups) Anchors(int[][] encoded, WordPieceVocabulary vocab)
    {
        var freq = new Dictionary<int, int>();
        foreach (var s in encoded) foreach (int t in s) freq[t] = freq.GetValueOrDefault(t) + 1;
        var anchors = encoded.Select(s =>
        {
            var words = s.Where(t => t != vocab.ClsId && t != vocab.SepId).ToArray();
            return words.Length == 0 ? vocab.ClsId : words.OrderBy(t => freq[t]).ThenBy(t => t).First();
        }).ToArray();
        var groups = Enumerable.Range(0, encoded.Length).GroupBy(i => anchors[i]).ToDictionary(g => g.Key, g => g.ToArray());
        return (anchors, groups);
    }

    /// <summary>
    /// ln(sentences / sentences containing the word), 0 for words in every sentence: the context
    /// target weighs words by it, so that template words shared by all sentences ("a", "the", ".")
    /// do not drown the content words that tell sentences apart (tf-idf's reasoning).
    /// </summary>
    internal static float[] InverseDocumentFrequency(int[][] encoded, int vocabSize)
    {
        var df = new int[vocabSize];
        foreach (var s in encoded) foreach (int t in s.Distinct()) df[t]++;
        return df.Select(d => d == 0 ? 0f : (float)Math.Log((double)encoded.Length / d)).ToArray();
    }

    /// <summary>BERT's _init_weights: N(0, 0.02) weights and embeddings, zero biases, LayerNorm 1/0, zero padding row.</summary>
    private static void InitializeLikeBert(BertModel model, MaskedLmHead head, int padId, double std)
    {
        using var _ = no_grad();
        using var one = 1.0f.ToScalar();
        foreach (var (name, p) in model.named_parameters().Concat(head.named_parameters()))
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) p.fill_(one);
            else if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else p.normal_(0, std);
            if (name == "embeddings.word_embeddings.weight") p[padId].zero_();
        }
    }

    private static List<string> ReadVocab(string path)
    {
        var v = WordPieceVocabulary.Load(path);
        return Enumerable.Range(0, v.Count).Select(v.Token).ToList();
    }

    private static double Mean(IEnumerable<double> xs)
    {
        var list = xs.ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    // ------------------------------------------------------------------ the Hugging Face folder

    private static void WriteFolder(TextPretrainJob job, TextPretrainRecipe r, BertConfig c, IReadOnlyList<string> vocab,
        BertModel model, MaskedLmHead head, Tensor wordEmbeddings, TextPretrainResult result)
    {
        string dir = job.OutFolder;
        Directory.CreateDirectory(dir);
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("BertForMaskedLM"),
            ["model_type"] = "bert",
            ["attention_probs_dropout_prob"] = c.AttentionProbsDropoutProb,
            ["hidden_act"] = c.HiddenAct,
            ["hidden_dropout_prob"] = c.HiddenDropoutProb,
            ["hidden_size"] = c.HiddenSize,
            ["initializer_range"] = r.InitializerRange > 0 ? r.InitializerRange : 0.02,
            ["intermediate_size"] = c.IntermediateSize,
            ["layer_norm_eps"] = c.LayerNormEps,
            ["max_position_embeddings"] = c.MaxPositionEmbeddings,
            ["num_attention_heads"] = c.NumAttentionHeads,
            ["num_hidden_layers"] = c.NumHiddenLayers,
            ["pad_token_id"] = c.PadTokenId,
            ["position_embedding_type"] = "absolute",
            ["type_vocab_size"] = c.TypeVocabSize,
            ["vocab_size"] = c.VocabSize,
            ["tie_word_embeddings"] = true,
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "vocab.txt"), string.Concat(vocab.Select(t => t + "\n")));
        var tokCfg = new JsonObject
        {
            ["do_lower_case"] = true,
            ["tokenizer_class"] = "BertTokenizer",
            ["model_max_length"] = c.MaxPositionEmbeddings,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), tokCfg.ToJsonString(indented) + "\n");

        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, t) in model.state_dict()) tensors.Add(new("bert." + k, t));
        foreach (var (k, t) in head.state_dict()) tensors.Add(new("cls.predictions." + k, t));
        // HF's BertForMaskedLM state dict also names the tied decoder (weight = word embeddings, bias = predictions.bias).
        tensors.Add(new("cls.predictions.decoder.weight", wordEmbeddings));
        tensors.Add(new("cls.predictions.decoder.bias", head.state_dict()["bias"]));
        SafeTensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);

        var info = new JsonObject
        {
            ["corpus"] = Path.GetFileName(job.CorpusPath),
            ["vocab"] = job.VocabPath is null ? "built from the corpus" : Path.GetFileName(job.VocabPath),
            ["recipe"] = JsonNode.Parse(r.ToJson()),
            ["result"] = JsonSerializer.SerializeToNode(result with { OutFolder = Path.GetFileName(Path.GetFullPath(dir)) },
                new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, "pretrain.json"), info.ToJsonString(indented) + "\n");
    }
}
