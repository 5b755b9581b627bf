using ClapAudit.Models;
using ClapAudit.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClapAudit.Tests.Training;

/// <summary>tanh(fc(flatten(log-mel))): the audio stand-in of tools/make_training_fixtures.py.</summary>
public sealed class TinyAudioBackbone : nn.Module<Tensor, Tensor>, IAudioBackbone
{
    private readonly Linear fc;
    public int EmbeddingSize { get; }

    public TinyAudioBackbone(int inputs, int size) : base("TinyAudio")
    {
        fc = nn.Linear(inputs, size);
        EmbeddingSize = size;
        RegisterComponents();
    }

    public Tensor EmbedAudio(Tensor logMel) => call(logMel);
    public nn.Module AsModule => this;
    public override Tensor forward(Tensor x) => tanh(fc.call(x.flatten(1)));
}

/// <summary>tanh(fc(masked mean of token embeddings)): the text stand-in of the fixture script.</summary>
public sealed class TinyTextBackbone : nn.Module<Tensor, Tensor, Tensor>, ITextBackbone
{
    private readonly Embedding embed;
    private readonly Linear fc;
    public int EmbeddingSize { get; }

    public TinyTextBackbone(int vocab, int size) : base("TinyText")
    {
        embed = nn.Embedding(vocab, size);
        fc = nn.Linear(size, size);
        EmbeddingSize = size;
        RegisterComponents();
    }

    public Tensor EmbedText(Tensor ids, Tensor mask) => call(ids, mask);
    public nn.Module AsModule => this;

    public override Tensor forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var e = embed.call(ids);
        var m = mask.unsqueeze(-1).to(e.dtype);
        return tanh(fc.call((e * m).sum(1) / m.sum(1))).MoveToOuterDisposeScope();
    }
}

/// <summary>Waveform (B, T*M) viewed as a log-mel (B, 1, T, M): the front-end stand-in.</summary>
public sealed class TinyFrontEnd(int frames, int mels) : nn.Module<Tensor, Tensor>("TinyFrontEnd")
{
    public override Tensor forward(Tensor wave) => wave.reshape(wave.shape[0], 1, frames, mels);
}

/// <summary>The tiny configuration shared by the training tests.</summary>
public static class Tiny
{
    public const int Frames = 4, Mels = 6, Vocab = 30, AudioSize = 16, TextSize = 12, ProjectionDim = 10, TokenLength = 7;

    /// <summary>
    /// A tiny model whose weights come from its own seeded generator: torch's default generator is
    /// shared with tests running in parallel, so seeding it would not make the weights repeatable.
    /// </summary>
    public static ClapModel Model(ClapModelOptions? options = null, long seed = 1)
    {
        var model = new ClapModel(new TinyAudioBackbone(Frames * Mels, AudioSize), new TinyTextBackbone(Vocab, TextSize),
            options ?? new ClapModelOptions { ProjectionDim = ProjectionDim });
        using var g = new Generator((ulong)seed);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                if (name == "logit_scale") continue;
                if (name.Contains("layer_norm")) { p.copy_(name.EndsWith("weight") ? ones_like(p) : zeros_like(p)); continue; }
                double bound = 1 / Math.Sqrt(p.dim() > 1 ? p.shape[1] : p.shape[0]);
                using var r = rand(p.shape, generator: g);
                p.copy_(r * (2 * bound) - bound);
            }
        return model;
    }

    public static TrainingItem[] Items(string prefix, int n) =>
        Enumerable.Range(0, n).Select(i => new TrainingItem($"{prefix}{i}", $"{prefix}{i}.wav", $"caption {i % 5} {i}")).ToArray();

    /// <summary>Synthetic audio: a function of the item and the crop randomness, as a real loader is.</summary>
    public static float[] LoadAudio(TrainingItem item, Random rng)
    {
        int id = int.Parse(item.Id.TrimStart('t', 'v', 'x'));
        double offset = rng.NextDouble();
        return Enumerable.Range(0, Frames * Mels).Select(k => (float)Math.Sin(0.3 * k * (1 + id % 7) + offset)).ToArray();
    }

    /// <summary>Token ids from the caption's characters (ids in [1, Vocab)), padded to TokenLength.</summary>
    public static (long[] ids, long[] mask) Tokenize(string caption)
    {
        var words = caption.Split(' ');
        var ids = new long[TokenLength];
        var mask = new long[TokenLength];
        for (int i = 0; i < Math.Min(words.Length, TokenLength); i++)
        {
            ids[i] = 1 + Math.Abs(words[i].Sum(c => c * 31)) % (Vocab - 1);
            mask[i] = 1;
        }
        return (ids, mask);
    }

    public static PairPipeline Data(int train, int val, int batch, int seed = 0, int workers = 2, Func<TrainingItem, Random, float[]>? load = null,
        IProgress<TrainingProgress>? progress = null) =>
        new(Items("t", train), Items("v", val), load ?? LoadAudio, Tokenize, new PipelineOptions(batch, Frames * Mels, workers, 2, seed), progress);

    public static TrainingRecipe Recipe() => new TrainingRecipe
    {
        FrozenEpochs = 1,
        MaxEpochs = 3,
        BatchSize = 4,
        ProjectionDim = ProjectionDim,
        ProjectionDropout = 0.5,
        FrozenLearningRate = 1e-2,
        UnfrozenLearningRate = 1e-3,
        Seed = 7,
        Workers = 2,
        CheckpointEvery = 0,
        Threads = 1,
        SampleRate = 1000,
        DurationSeconds = Frames * Mels / 1000.0,
        Fmax = 500,
    }.Validate();
}

/// <summary>Collects progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class ListProgress(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = [];
    public void Report(TrainingProgress value)
    {
        lock (Reports) Reports.Add(value);
        onReport?.Invoke(value);
    }
}
