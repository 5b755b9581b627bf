using System.Collections.Concurrent;
using ClapAudit.Audio;
using ClapAudit.Common;

namespace ClapAudit.Training.Pretraining;

/// <summary>
/// Bounded prefetch of decoded clips: a producer decodes batch b+1.. (each batch in parallel over
/// <c>workers</c>) while the caller trains on batch b, holding at most <c>prefetch</c> batches.
/// Crops are seeded by (seed, epoch, position), so the data never depend on timing or on a resume.
/// Unreadable audio is skipped and named in the batch.
/// </summary>
internal sealed class ClipBatchLoader(IReadOnlyList<LabelledClip> clips, int classCount, AudioPreprocessing audio, int workers, int prefetch)
{
    public IEnumerable<ClipBatch> Batches(IReadOnlyList<int[]> batches, int start, long seed, int epoch, bool randomCrop, CancellationToken ct)
    {
        if (start >= batches.Count) yield break;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var queue = new BlockingCollection<ClipBatch>(prefetch);
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = start; b < batches.Count && !stop.IsCancellationRequested; b++)
                    queue.Add(Load(b, batches[b], seed, epoch, randomCrop, stop.Token), stop.Token);
            }
            catch (OperationCanceledException) { }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(CancellationToken.None))
            {
                yield return batch;
                if (ct.IsCancellationRequested) yield break;
            }
        }
        finally
        {
            stop.Cancel();
            // Drain so a producer blocked on a full queue sees the cancellation and ends.
            while (queue.TryTake(out _)) { }
            try { producer.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
        }
    }

    private ClipBatch Load(int index, int[] items, long seed, int epoch, bool randomCrop, CancellationToken ct)
    {
        int samples = audio.TargetSamples;
        var waves = new float[items.Length][];
        var errors = new string?[items.Length];
        Parallel.For(0, items.Length, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, i =>
        {
            var clip = clips[items[i]];
            try
            {
                var rng = randomCrop ? DeterministicSeed.Random(seed, SeedStream.PretrainCrop, epoch, (long)index * 100_003 + i) : null;
                waves[i] = AudioPreprocessor.Load(clip.AudioPath, audio, null, rng);
            }
            catch (Exception e) when (e is ClapAuditException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                errors[i] = $"{clip.AudioPath}: {e.Message}";
            }
        });
        int ok = waves.Count(w => w is not null);
        var data = new float[ok * samples];
        var targets = new float[ok * classCount];
        int r = 0;
        for (int i = 0; i < items.Length; i++)
        {
            if (waves[i] is not { } w) continue;
            w.CopyTo(data, r * samples);
            foreach (int c in clips[items[i]].Labels) targets[r * classCount + c] = 1f;
            r++;
        }
        return new ClipBatch(index, data, targets, ok, errors.Where(e => e is not null).Select(e => e!).ToArray());
    }
}
