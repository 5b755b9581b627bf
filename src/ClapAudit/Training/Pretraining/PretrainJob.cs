using ClapAudit.Data;

namespace ClapAudit.Training.Pretraining;

/// <summary>One pre-training run: AudioSet-style data in, a PANNs-format checkpoint out.</summary>
/// <param name="AudioSetDir">class_labels_indices.csv, *_segments.csv and the audio (see <see cref="AudioSetReader"/>).</param>
/// <param name="OutFile">The final PANNs-format .pth (written atomically when training ends).</param>
/// <param name="RunDirectory">run.json, log.csv, leakage.json, checkpoints/; an existing last.ckpt is resumed.</param>
/// <param name="Recipe">The settings.</param>
public sealed record PretrainJob(string AudioSetDir, string OutFile, string RunDirectory, PretrainRecipe Recipe)
{
    /// <summary>An ESC-50 folder whose classes are removed first ("clean" pre-training); null: all clips ("dirty").</summary>
    public string? CleanAgainstEsc50Dir { get; init; }
    public LeakageFilterOptions? Filter { get; init; }
    public AudioSetOptions? AudioSet { get; init; }
    /// <summary>Recorded in run.json; null: looked up from the .git above the program.</summary>
    public string? GitCommit { get; init; }
}

/// <summary>What a pre-training run produced.</summary>
/// <param name="CheckpointPath">The PANNs-format file (not written when <see cref="Cancelled"/>).</param>
/// <param name="Epochs">Epochs completed.</param>
/// <param name="BestValLoss">Lowest validation BCE (null without a validation split).</param>
/// <param name="ValMeanAveragePrecision">Validation mAP of the epoch with the best loss (classes with a positive clip).</param>
/// <param name="Clips">Clips used (train + validation) after the filter.</param>
/// <param name="RemovedClips">Clips the leakage filter removed.</param>
/// <param name="RemovedLabels">Mids of the removed labels.</param>
/// <param name="RunDirectory">The run directory (full path).</param>
public sealed record PretrainResult(
    string CheckpointPath, int Epochs, double? BestValLoss, double? ValMeanAveragePrecision, int Clips, int RemovedClips,
    IReadOnlyList<string> RemovedLabels, string RunDirectory)
{
    /// <summary>Cancelled: last.ckpt was saved and the final file not written; rerun to resume.</summary>
    public bool Cancelled { get; init; }
    /// <summary>"early_stopped" or "max_epochs" (null when cancelled).</summary>
    public string? StopReason { get; init; }
    public int TrainClips { get; init; }
    public int ValidationClips { get; init; }
    /// <summary>Unreadable clips skipped over the whole run (this session).</summary>
    public int SkippedClips { get; init; }
    /// <summary>The removed labels with display names and clip counts (empty for a dirty run).</summary>
    public IReadOnlyList<AudioSetLabelRemoval> RemovedLabelDetails { get; init; } = [];
    public long GlobalStep { get; init; }
}
