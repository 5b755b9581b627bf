using ClapAudit.Data;
using ClapAudit.Report;
using ClapAudit.Training;

namespace ClapAudit.Experiments;

/// <summary>The real work behind each grid step: data preparation, pre-training, training, zero-shot, embedding, report.</summary>
public sealed class GridSteps : IGridSteps
{
    /// <summary>The pair manifest of Clotho/AudioCaps/FSD50K/MACS; "clean" drops every audio whose captions hold an ESC-50 class word.</summary>
    public StepOutcome PrepareData(GridPlan plan, string training, IProgress<string> progress, CancellationToken ct)
    {
        var c = plan.Config;
        bool clean = training == "clean";
        var result = ManifestBuilder.Build(new ManifestBuildOptions(
            plan.ManifestDirectory(training), c.Clotho, c.AudioCaps, c.Fsd50k, c.Macs,
            Esc50Dir: clean ? c.Esc50 : null,
            Split: new SplitOptions(Seed: c.Seed),
            Leakage: new LeakageFilterOptions(c.Match == "stem" ? WordMatch.Stem : WordMatch.Exact)), progress, ct);
        var values = new Dictionary<string, double> { ["train_pairs"] = result.Summary.TrainPairs, ["val_pairs"] = result.Summary.ValPairs };
        string summary = $"{result.Summary.TrainPairs:N0} train / {result.Summary.ValPairs:N0} val pairs";
        if (result.Leakage is { } leak)
        {
            values["removed_pairs"] = leak.Removed.Pairs;
            values["removed_audio"] = leak.Removed.Audio;
            summary += $"; leakage filter removed {leak.Removed.Pairs:N0} pairs ({leak.Removed.Audio:N0} audio)";
        }
        return new StepOutcome(summary, values);
    }
    public StepOutcome Pretrain(GridPlan plan, string preTraining, IProgress<TrainingProgress> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome EmbedBackbones(GridPlan plan, string preTraining, IProgress<string> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome Train(GridPlan plan, GridSetup setup, IProgress<TrainingProgress> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome ZeroShot(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct) => throw NotYet();
    public StepOutcome Embed(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct) => throw NotYet();

    /// <summary>Writes GRID_DIR/report.html (and report.json, figures) from grid.json; returns the HTML path.</summary>
    public static string WriteReport(GridPlan plan, IProgress<string> progress, CancellationToken ct) =>
        ReportBuilder.BuildFromGrid(plan.GridDirectory, new ReportOptions
        {
            HtmlPath = Path.Combine(plan.GridDirectory, "report.html"),
            Seed = plan.Config.Seed,
        }, progress, ct).HtmlPath;

    private static InvalidOperationException NotYet() => new("grid steps are wired after the train/pretrain/report merges");
}
