namespace ClapAudit.Training;

/// <summary>The audio preprocessing a model was trained with (inference must apply the same).</summary>
public sealed record TrainedPreprocessing(int SampleRate, double DurationSeconds, bool RandomCrop, string Padding, bool ZNormalize)
{
    public static TrainedPreprocessing FromRecipe(TrainingRecipe r) => new(r.SampleRate, r.DurationSeconds, r.RandomCrop, r.Padding, r.ZNormalize);
}

/// <summary>
/// Everything in a checkpoint besides tensors (state.json). Randomness needs no saved generator
/// state: shuffles, crops and dropout seeds are functions of (seed, epoch, position, global step).
/// </summary>
public sealed record CheckpointState
{
    public string Format { get; init; } = Checkpoint.FormatName;
    public int Version { get; init; } = Checkpoint.FormatVersion;
    /// <summary>The epoch in progress (0-based); Epoch = k with BatchesDone = 0 means epochs 0..k-1 are complete.</summary>
    public int Epoch { get; init; }
    /// <summary>Training batches of <see cref="Epoch"/> already done.</summary>
    public int BatchesDone { get; init; }
    public long GlobalStep { get; init; }
    public TrainingPhase Phase { get; init; }
    /// <summary>Sum of the step losses and number of steps of the epoch in progress (its mean goes to log.csv).</summary>
    public double EpochLossSum { get; init; }
    public int EpochSteps { get; init; }
    public int EpochSkipped { get; init; }
    public required PlateauState Plateau { get; init; }
    public required EarlyStoppingState EarlyStopping { get; init; }
    public double BestValLoss { get; init; } = double.PositiveInfinity;
    public int BestEpoch { get; init; } = -1;
    /// <summary>Set when training ended (early stop or max epochs); a rerun then does nothing.</summary>
    public string? Finished { get; init; }
    public double Seconds { get; init; }
    public required TrainingRecipe Recipe { get; init; }
    public required TrainedPreprocessing Preprocessing { get; init; }
    public required ModelShape Model { get; init; }
    /// <summary>How to rebuild the backbones and the front-end without the original files (null in checkpoints of format 1 made before it existed).</summary>
    public BackboneInfo? Backbones { get; init; }
}

/// <summary>
/// The backbone configurations and front-end of a trained model: enough, with the weights in
/// model.pth and the tokenizer files copied into the run directory's <c>text/</c>, to rebuild it.
/// </summary>
public sealed record BackboneInfo
{
    public required ClapAudit.Models.Cnn14Options Cnn14 { get; init; }
    public required ClapAudit.Models.BertConfig Bert { get; init; }
    public required ClapAudit.Audio.LogMelOptions LogMel { get; init; }
    /// <summary>Which mel filters the front-end used; the checkpoint's own are kept in <see cref="MelFilterValues"/>.</summary>
    public ClapAudit.Audio.MelFilterSource MelFilters { get; init; }
    /// <summary>(n_fft/2+1) x mels row-major, only when <see cref="MelFilters"/> is Checkpoint.</summary>
    public float[]? MelFilterValues { get; init; }
    /// <summary>The folder (relative to the run directory) holding vocab.txt, config.json and the tokenizer settings.</summary>
    public string TextFolder { get; init; } = "text";
    /// <summary>Where the pre-trained weights came from (file names only; "none" = random init).</summary>
    public string? Cnn14Source { get; init; }
    public string? BertSource { get; init; }
}

/// <summary>The sizes needed to rebuild the model before loading its weights.</summary>
public sealed record ModelShape(int AudioEmbeddingSize, int TextEmbeddingSize, int ProjectionDim, double ProjectionDropout, double LogitClamp);
