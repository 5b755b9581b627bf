using ClapAudit.Training;

namespace ClapAudit.Experiments;

/// <summary>The real work behind each grid step: data preparation, pre-training, training, zero-shot, embedding, report.</summary>
public sealed class GridSteps : IGridSteps
{
    public StepOutcome PrepareData(GridPlan plan, string training, IProgress<string> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome Pretrain(GridPlan plan, string preTraining, IProgress<TrainingProgress> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome EmbedBackbones(GridPlan plan, string preTraining, IProgress<string> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome Train(GridPlan plan, GridSetup setup, IProgress<TrainingProgress> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome ZeroShot(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome Embed(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct) => throw NotYet();

    /// <summary>Writes GRID_DIR/report.html (and report.json, figures) from grid.json; returns the HTML path.</summary>
    public static string WriteReport(GridPlan plan, IProgress<string> progress, CancellationToken ct) => throw NotYet();

    private static InvalidOperationException NotYet() => new("grid steps are wired after the train/pretrain/report merges");
}
