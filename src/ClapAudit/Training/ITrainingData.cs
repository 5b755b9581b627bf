namespace ClapAudit.Training;

public enum DataSplit { Train, Validation }

/// <summary>
/// A batch of matching audio-caption pairs as plain arrays (row i of Audio goes with row i of Ids):
/// waveforms (Clips x Samples, row-major) and token ids with attention mask (Clips x TokenLength).
/// </summary>
public sealed record TrainingBatch(
    float[] Audio, int Clips, int Samples,
    long[] Ids, long[] Mask, int TokenLength,
    IReadOnlyList<string> ItemIds,
    int Skipped)
{
    /// <summary>The audio file of each row (several captions of one clip share it), for validation retrieval;
    /// null: every row is its own clip.</summary>
    public IReadOnlyList<string>? AudioKeys { get; init; }
}

/// <summary>
/// Training and validation pairs in batches. An implementation must be deterministic: the batches of
/// (split, epoch) are the same on every call, so that a resumed run sees exactly what an
/// uninterrupted one would have.
/// </summary>
public interface ITrainingData
{
    int Count(DataSplit split);
    int BatchCount(DataSplit split);

    /// <summary>The batches of one epoch, starting at batch index <paramref name="firstBatch"/> (for resume).</summary>
    IEnumerable<TrainingBatch> Batches(DataSplit split, int epoch, int firstBatch, CancellationToken cancellationToken);
}
