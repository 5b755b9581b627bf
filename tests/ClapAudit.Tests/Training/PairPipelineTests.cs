using ClapAudit.Common;
using ClapAudit.Training;

namespace ClapAudit.Tests.Training;

public class PairPipelineTests
{
    private static List<TrainingBatch> All(PairPipeline p, DataSplit s, int epoch, int first = 0) =>
        p.Batches(s, epoch, first, CancellationToken.None).ToList();

    [Fact]
    public void BatchesCoverEveryItemOnceInASeededOrder()
    {
        var p = Tiny.Data(train: 10, val: 5, batch: 4);
        var batches = All(p, DataSplit.Train, 0);
        Assert.Equal(new[] { 4, 4, 2 }, batches.Select(b => b.Clips));
        var ids = batches.SelectMany(b => b.ItemIds).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "t" + i).Order(), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => "t" + i), ids);               // shuffled
        Assert.NotEqual(ids, All(p, DataSplit.Train, 1).SelectMany(b => b.ItemIds));        // per epoch
        Assert.Equal(new[] { "v0", "v1", "v2", "v3", "v4" }, All(p, DataSplit.Validation, 3).SelectMany(b => b.ItemIds)); // not shuffled
        Assert.Equal(Tiny.TokenLength, batches[0].TokenLength);
        Assert.Equal(4 * Tiny.Frames * Tiny.Mels, batches[0].Audio.Length);
    }

    [Fact]
    public void ContentDoesNotDependOnWorkerCountAndResumeSkipsExactly()
    {
        var one = All(Tiny.Data(23, 5, 4, seed: 3, workers: 1), DataSplit.Train, 2);
        var three = All(Tiny.Data(23, 5, 4, seed: 3, workers: 3), DataSplit.Train, 2);
        var tail = All(Tiny.Data(23, 5, 4, seed: 3, workers: 2), DataSplit.Train, 2, first: 4);
        Assert.Equal(one.Count, three.Count);
        for (int i = 0; i < one.Count; i++)
        {
            Assert.Equal(one[i].ItemIds, three[i].ItemIds);
            Assert.Equal(one[i].Audio, three[i].Audio);   // crop randomness is per position, not per worker
            Assert.Equal(one[i].Ids, three[i].Ids);
        }
        Assert.Equal(one.Skip(4).SelectMany(b => b.Audio), tail.SelectMany(b => b.Audio));
        // Validation crops are the same every epoch.
        var p = Tiny.Data(23, 5, 4, seed: 3);
        Assert.Equal(All(p, DataSplit.Validation, 0)[0].Audio, All(p, DataSplit.Validation, 9)[0].Audio);
    }

    [Fact]
    public void UnreadableAudioIsReportedAndSkipped()
    {
        var progress = new ListProgress();
        float[] Load(TrainingItem item, Random rng) =>
            item.Id is "t3" or "t7" ? throw new InvalidDataException("bad RIFF header") : Tiny.LoadAudio(item, rng);
        var p = Tiny.Data(10, 4, 4, load: Load, progress: progress);
        var batches = All(p, DataSplit.Train, 0);
        Assert.Equal(8, batches.Sum(b => b.Clips));
        Assert.Equal(2, batches.Sum(b => b.Skipped));
        Assert.DoesNotContain("t3", batches.SelectMany(b => b.ItemIds));
        Assert.Equal(2, p.SkippedTotal);
        var skipped = progress.Reports.Where(r => r.Event == TrainingEvent.ItemSkipped).Select(r => r.Message!).Order().ToList();
        Assert.Equal(2, skipped.Count);
        Assert.StartsWith("t3.wav: bad RIFF header", skipped[0]);
        Assert.StartsWith("t7.wav", skipped[1]);
    }

    [Fact]
    public void AWrongLengthFromTheLoaderIsAnErrorNotASkip()
    {
        var p = Tiny.Data(6, 2, 3, load: (_, _) => new float[5]);
        var e = Assert.Throws<ClapAuditException>(() => All(p, DataSplit.Train, 0));
        Assert.Equal(ErrorKind.Mismatch, e.Kind);
        Assert.Contains("expected 24", e.Message);
    }

    [Fact]
    public void ProducerRunsAheadButStaysBounded()
    {
        int loaded = 0;
        float[] Load(TrainingItem item, Random rng) { Interlocked.Increment(ref loaded); return Tiny.LoadAudio(item, rng); }
        var p = new PairPipeline(Tiny.Items("t", 40), Tiny.Items("v", 2), Load, Tiny.Tokenize, new PipelineOptions(2, 24, Workers: 2, PrefetchBatches: 2));
        using var e = p.Batches(DataSplit.Train, 0, 0, CancellationToken.None).GetEnumerator();
        Assert.True(e.MoveNext());
        // Wait for the producer to fill the channel: the first batch, 2 queued, 1 being built at most.
        SpinWait.SpinUntil(() => Volatile.Read(ref loaded) >= 6, 5000);
        Thread.Sleep(100);
        int ahead = Volatile.Read(ref loaded);
        Assert.InRange(ahead, 6, 8);
    }
}
