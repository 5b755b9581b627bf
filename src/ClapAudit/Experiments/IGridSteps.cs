using ClapAudit.Training;

namespace ClapAudit.Experiments;

/// <summary>What a step reports when it completes: its key figure and a few numbers for the status table.</summary>
public sealed record StepOutcome(string Summary, Dictionary<string, double>? Values = null);

/// <summary>
/// The work behind each kind of grid step. <c>GridSteps</c> calls the real data, training and
/// evaluation code; tests substitute a fake to check ordering, skipping and resumption.
/// Each method writes only inside the folder the plan gives it.
/// </summary>
public interface IGridSteps
{
    StepOutcome PrepareData(GridPlan plan, string training, IProgress<string> progress, CancellationToken ct);
    StepOutcome Pretrain(GridPlan plan, string preTraining, IProgress<TrainingProgress> progress, CancellationToken ct);
    StepOutcome EmbedBackbones(GridPlan plan, string preTraining, IProgress<string> progress, CancellationToken ct);
    StepOutcome Train(GridPlan plan, GridSetup setup, IProgress<TrainingProgress> progress, CancellationToken ct);
    StepOutcome ZeroShot(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct);
    StepOutcome Embed(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct);
}
