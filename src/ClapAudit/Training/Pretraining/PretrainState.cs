namespace ClapAudit.Training.Pretraining;

/// <summary>state.json of a pre-training checkpoint (the zip layout of <see cref="Checkpoint"/>).</summary>
public sealed record PretrainState
{
    public const string FormatName = "clapaudit-pretrain-checkpoint";
    public string Format { get; init; } = FormatName;
    public int Version { get; init; } = 1;
    /// <summary>The epoch in progress; BatchesDone = 0 means epochs before it are complete.</summary>
    public int Epoch { get; init; }
    public int BatchesDone { get; init; }
    public long GlobalStep { get; init; }
    public double EpochLossSum { get; init; }
    public int EpochSteps { get; init; }
    public int EpochSkipped { get; init; }
    public required EarlyStoppingState EarlyStopping { get; init; }
    public double BestValLoss { get; init; } = double.PositiveInfinity;
    public double BestValMap { get; init; } = double.NaN;
    public int BestEpoch { get; init; } = -1;
    public string? Finished { get; init; }
    public double Seconds { get; init; }
    public int ClassCount { get; init; }
    public int TrainClips { get; init; }
    public int ValidationClips { get; init; }
    public required PretrainRecipe Recipe { get; init; }
}
