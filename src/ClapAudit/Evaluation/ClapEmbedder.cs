using ClapAudit.Audio;
using ClapAudit.Common;
using ClapAudit.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClapAudit.Evaluation;

/// <summary>Row-major float32 embeddings: Rows x Columns.</summary>
internal sealed record FloatRows(float[] Values, int Rows, int Columns)
{
    public EmbeddingMatrix ToMatrix() => new(Values.Select(v => (double)v).ToArray(), Rows, Columns);
}

/// <summary>
/// Batched, deterministic inference shared by zero-shot evaluation and embedding export: audio is
/// read at offset 0 (no random crop), decoded on several threads per batch, the next batch while the model runs on
/// this one, run under no_grad.
/// </summary>
internal static class ClapEmbedder
{
    /// <summary>encode: log-mel batch to (backbone x, optional joint E); returns x and E (null when encode gives none).</summary>
    public static (FloatRows X, FloatRows? E) Audio(IReadOnlyList<string> paths, AudioPreprocessing preprocessing,
        nn.Module<Tensor, Tensor> frontEnd, Func<Tensor, (Tensor X, Tensor? E)> encode, Device device, int batchSize,
        IProgress<int>? progress, CancellationToken ct)
    {
        Guard.Positive(batchSize);
        Guard.Data(paths.Count > 0, "no audio clips to embed");
        float[]? x = null, e = null;
        int dx = 0, de = 0;
        float[][] Decode(int start)
        {
            int n = Math.Min(batchSize, paths.Count - start);
            var waves = new float[n][];
            var parallel = new ParallelOptions
            {
                CancellationToken = ct,
                MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount),
            };
            ParallelErrors.Run(() => Parallel.For(0, n, parallel,
                i => waves[i] = AudioPreprocessor.Load(paths[start + i], preprocessing, 0, null)));
            return waves;
        }
        // The next batch is decoded while the model runs on this one (two batches of waveforms in memory at most):
        // on a GPU the model would otherwise wait for the decoder, and on a CPU the decoder fills the gaps between
        // libtorch's parallel regions. A decode error surfaces with its own kind when its batch is reached.
        Task<float[][]>? pending = Task.Run(() => Decode(0), ct);
        try
        {
            using var _ = no_grad();
            for (int start = 0; start < paths.Count; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var waves = pending!.GetAwaiter().GetResult();
                int n = waves.Length, next = start + batchSize;
                pending = next < paths.Count ? Task.Run(() => Decode(next), ct) : null;
                int samples = preprocessing.TargetSamples;
                var flat = new float[n * samples];
                for (int i = 0; i < n; i++) waves[i].CopyTo(flat, i * samples);
                using var scope = NewDisposeScope();
                var wave = tensor(flat, [n, samples]).to(device);
                var (bx, be) = encode(frontEnd.call(wave));
                Copy(bx, start, n, paths.Count, ref x, ref dx);
                if (be is not null) Copy(be, start, n, paths.Count, ref e, ref de);
                progress?.Report(start + n);
            }
        }
        finally
        {
            // A batch still decoding when the model failed or was cancelled: let it finish, its outcome unobserved.
            if (pending is not null) pending.ContinueWith(t => _ = t.Exception, TaskScheduler.Default).Wait();
        }
        Guard.AllFinite(x!, dx, "audio embeddings");
        return (new FloatRows(x!, paths.Count, dx), e is null ? null : new FloatRows(e, paths.Count, de));
    }

    public static (FloatRows X, FloatRows? E) Text(IReadOnlyList<string> texts, BertTokenizer tokenizer, int textLength,
        Func<Tensor, Tensor, (Tensor X, Tensor? E)> encode, Device device, int batchSize, CancellationToken ct)
    {
        Guard.Positive(batchSize);
        float[]? x = null, e = null;
        int dx = 0, de = 0;
        using var _ = no_grad();
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = texts.Skip(start).Take(batchSize).ToList();
            using var scope = NewDisposeScope();
            // Padded to the batch's longest text (truncated at text_length as in training), not to text_length: padded
            // keys are masked, so x_t is the same to float rounding, and prompts of about 8 tokens no longer pay for 100
            // (BERT-base on 50 prompts: several seconds of embed's fixed cost).
            var (ids, mask) = tokenizer.EncodeBatch(chunk, textLength, TokenPadding.Longest).ToTensors(device);
            var (bx, be) = encode(ids, mask);
            Copy(bx, start, chunk.Count, texts.Count, ref x, ref dx);
            if (be is not null) Copy(be, start, chunk.Count, texts.Count, ref e, ref de);
        }
        Guard.AllFinite(x!, dx, "text embeddings");
        return (new FloatRows(x!, texts.Count, dx), e is null ? null : new FloatRows(e, texts.Count, de));
    }

    private static void Copy(Tensor t, int start, int n, int total, ref float[]? target, ref int columns)
    {
        using var c = t.to(float32).cpu().contiguous();
        int d = (int)c.shape[1];
        if (target is null) { target = new float[total * d]; columns = d; }
        c.data<float>().CopyTo(target.AsSpan(start * d, n * d));
    }
}
