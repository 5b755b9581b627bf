using System.Threading.Channels;
using ClapAudit.Common;

namespace ClapAudit.Training;

/// <summary>One audio-caption pair as the pipeline needs it (the manifest's record maps onto this).</summary>
public sealed record TrainingItem(string Id, string Audio, string Caption);

/// <summary>Sizes of the pipeline; <see cref="FromRecipe"/> takes them from the recipe.</summary>
public sealed record PipelineOptions(int BatchSize, int AudioSamples, int Workers = 4, int PrefetchBatches = 2, int Seed = 0)
{
    public static PipelineOptions FromRecipe(TrainingRecipe r) => new(r.BatchSize, r.AudioSamples, r.Workers, r.PrefetchBatches, r.Seed);
}

/// <summary>
/// Training data from a list of pairs: a bounded producer/consumer pipeline in which
/// <c>Workers</c> threads decode, crop and tokenise the next <c>PrefetchBatches</c> batches while
/// the current one trains. Batches come out in order and are fully deterministic: the epoch's
/// shuffle comes from (seed, epoch) and each item's <see cref="Random"/> (its crop offset) from
/// (seed, epoch, position), so neither worker timing nor a resume changes them. Validation is not
/// shuffled and uses the same per-item randomness every epoch so its loss is comparable.
/// An item whose audio fails to load is reported through progress and skipped; its batch is
/// one pair shorter.
/// </summary>
public sealed class PairPipeline : ITrainingData
{
    private readonly IReadOnlyList<TrainingItem> _train;
    private readonly IReadOnlyList<TrainingItem> _val;
    private readonly Func<TrainingItem, Random, float[]> _loadAudio;
    private readonly Func<string, (long[] ids, long[] mask)> _tokenize;
    private readonly PipelineOptions _options;
    private readonly IProgress<TrainingProgress>? _progress;
    private int _skippedTotal;

    public PairPipeline(
        IReadOnlyList<TrainingItem> train,
        IReadOnlyList<TrainingItem> validation,
        Func<TrainingItem, Random, float[]> loadAudio,
        Func<string, (long[] ids, long[] mask)> tokenize,
        PipelineOptions options,
        IProgress<TrainingProgress>? progress = null)
    {
        Guard.Positive(options.BatchSize);
        Guard.Positive(options.AudioSamples);
        Guard.Positive(options.Workers);
        Guard.Positive(options.PrefetchBatches);
        _train = train;
        _val = validation;
        _loadAudio = loadAudio;
        _tokenize = tokenize;
        _options = options;
        _progress = progress;
    }

    /// <summary>Items skipped (unreadable audio) since this pipeline was created.</summary>
    public int SkippedTotal => Volatile.Read(ref _skippedTotal);

    public int Count(DataSplit split) => Items(split).Count;

    public int BatchCount(DataSplit split) => (Count(split) + _options.BatchSize - 1) / _options.BatchSize;

    private IReadOnlyList<TrainingItem> Items(DataSplit split) => split == DataSplit.Train ? _train : _val;

    /// <summary>The item order of an epoch: a seeded Fisher-Yates shuffle for training, the given order for validation.</summary>
    public int[] Order(DataSplit split, int epoch)
    {
        int n = Count(split);
        var order = Enumerable.Range(0, n).ToArray();
        if (split == DataSplit.Train)
        {
            var rng = DeterministicSeed.Random(_options.Seed, SeedStream.PairShuffle, epoch);
            for (int i = n - 1; i > 0; i--)
            {
                int j = rng.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        return order;
    }

    public IEnumerable<TrainingBatch> Batches(DataSplit split, int epoch, int firstBatch, CancellationToken cancellationToken)
    {
        int batches = BatchCount(split);
        if (firstBatch >= batches) yield break;
        int[] order = Order(split, epoch);
        var channel = Channel.CreateBounded<TrainingBatch>(new BoundedChannelOptions(_options.PrefetchBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int b = firstBatch; b < batches; b++)
                {
                    var batch = Build(split, epoch, order, b, stop.Token);
                    await channel.Writer.WriteAsync(batch, stop.Token).ConfigureAwait(false);
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        });
        try
        {
            var reader = channel.Reader;
            while (true)
            {
                TrainingBatch? batch;
                try
                {
                    if (!reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult()) break;
                    if (!reader.TryRead(out batch)) continue;
                }
                catch (OperationCanceledException) { yield break; }
                catch (ChannelClosedException e) when (e.InnerException is not null)
                {
                    if (e.InnerException is OperationCanceledException) yield break;
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    yield break;
                }
                yield return batch;
            }
            // Surfaces a producer error that completed the channel (WaitToReadAsync rethrows it, but be explicit).
            if (reader.Completion.IsFaulted && reader.Completion.Exception?.InnerException is { } inner and not OperationCanceledException)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    private TrainingBatch Build(DataSplit split, int epoch, int[] order, int batchIndex, CancellationToken ct)
    {
        var items = Items(split);
        int start = batchIndex * _options.BatchSize;
        int count = Math.Min(_options.BatchSize, order.Length - start);
        int samples = _options.AudioSamples;
        var audio = new float[count][];
        var tokens = new (long[] ids, long[] mask)[count];
        var errors = new string?[count];
        // Validation items get the same randomness every epoch (epoch -1) so its loss is comparable.
        long rngEpoch = split == DataSplit.Train ? epoch : -1;
        ParallelErrors.Run(() =>
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = ct }, i =>
            {
                int position = start + i;
                var item = items[order[position]];
                try
                {
                    var rng = DeterministicSeed.Random(_options.Seed, CropStream(split), rngEpoch, position);
                    float[] wave = _loadAudio(item, rng);
                    if (wave.Length != samples)
                        throw new ClapAuditException(ErrorKind.Mismatch, $"{item.Audio}: the audio loader returned {wave.Length} samples, expected {samples}");
                    audio[i] = wave;
                    tokens[i] = _tokenize(item.Caption);
                    if (tokens[i].ids.Length != tokens[i].mask.Length)
                        throw new ClapAuditException(ErrorKind.Mismatch, $"{item.Id}: tokenizer returned {tokens[i].ids.Length} ids and {tokens[i].mask.Length} mask values");
                }
                catch (ClapAuditException e) when (e.Kind == ErrorKind.Mismatch) { throw; }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors[i] = $"{item.Audio}: {e.Message}";
                }
            });
        });

        var keep = Enumerable.Range(0, count).Where(i => errors[i] is null).ToList();
        int skipped = count - keep.Count;
        for (int i = 0; i < count; i++)
        {
            if (errors[i] is null) continue;
            int total = Interlocked.Increment(ref _skippedTotal);
            _progress?.Report(new TrainingProgress { Event = TrainingEvent.ItemSkipped, Epoch = epoch, Skipped = total, Message = errors[i] });
        }
        int tokenLength = keep.Count == 0 ? 0 : keep.Max(i => tokens[i].ids.Length);
        var flatAudio = new float[keep.Count * samples];
        var ids = new long[keep.Count * tokenLength];
        var mask = new long[keep.Count * tokenLength];
        var itemIds = new string[keep.Count];
        var audioKeys = new string[keep.Count];
        for (int r = 0; r < keep.Count; r++)
        {
            int i = keep[r];
            audio[i].CopyTo(flatAudio, r * samples);
            // Shorter token rows are padded with id 0 and mask 0, as BERT padding does.
            tokens[i].ids.CopyTo(ids, r * tokenLength);
            tokens[i].mask.CopyTo(mask, r * tokenLength);
            itemIds[r] = items[order[start + i]].Id;
            audioKeys[r] = items[order[start + i]].Audio;
        }
        return new TrainingBatch(flatAudio, keep.Count, samples, ids, mask, tokenLength, itemIds, skipped) { AudioKeys = audioKeys };
    }

    private static SeedStream CropStream(DataSplit split) =>
        split == DataSplit.Train ? SeedStream.PairCropTrain : SeedStream.PairCropValidation;
}
