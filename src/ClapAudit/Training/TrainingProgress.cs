namespace ClapAudit.Training;

public enum TrainingEvent
{
    /// <summary>A training step finished (Loss is its loss).</summary>
    Step,
    /// <summary>Validation finished; the epoch's row of log.csv has been written.</summary>
    EpochEnd,
    /// <summary>The backbones were unfrozen (Phase changed).</summary>
    PhaseChange,
    /// <summary>An item could not be loaded and was skipped (Message names the file and the error).</summary>
    ItemSkipped,
    /// <summary>A checkpoint was written (Message is its path).</summary>
    Checkpoint,
    /// <summary>A new run's random-init audio backbone had its BatchNorm statistics set from training batches (Message).</summary>
    NormCalibrated,
    /// <summary>Training resumed from a checkpoint.</summary>
    Resumed,
    /// <summary>Validation batches are running (Step counts them).</summary>
    Validating,
    /// <summary>Something the user should know before trusting the run (Message), e.g. mismatched mel filters.</summary>
    Warning,
}

public enum TrainingPhase { Frozen, Unfrozen }

/// <summary>What the CLI's progress bar and the --json lines show.</summary>
public sealed record TrainingProgress
{
    public required TrainingEvent Event { get; init; }
    public int Epoch { get; init; }
    /// <summary>Batches done in this epoch (1-based after a step).</summary>
    public int Step { get; init; }
    public int StepsInEpoch { get; init; }
    public long GlobalStep { get; init; }
    public TrainingPhase Phase { get; init; }
    public double Loss { get; init; } = double.NaN;
    /// <summary>Mean training loss of the epoch so far.</summary>
    public double EpochLoss { get; init; } = double.NaN;
    public double ValLoss { get; init; } = double.NaN;
    /// <summary>At <see cref="TrainingEvent.EpochEnd"/> with <c>val_retrieval</c>: retrieval on the validation pairs.</summary>
    public Evaluation.RetrievalResult? Retrieval { get; init; }
    public double LearningRate { get; init; }
    public double LogitScale { get; init; } = double.NaN;
    public double ClipsPerSecond { get; init; }
    public TimeSpan? Eta { get; init; }
    /// <summary>Items skipped so far in this epoch (unreadable audio).</summary>
    public int Skipped { get; init; }
    public string? Message { get; init; }
}
