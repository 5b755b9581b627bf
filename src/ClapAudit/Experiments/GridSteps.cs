using ClapAudit.Data;
using ClapAudit.Report;
using ClapAudit.Common;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;

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
            Leakage: LeakageOptions(c)), progress, ct);
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
    /// <summary>
    /// CNN14 pre-training on the AudioSet-style data: "clean" without the test classes, "dirty" with all of
    /// them (or nothing at all when the config names a PANNs checkpoint such as Cnn14_mAP=0.431.pth).
    /// </summary>
    public StepOutcome Pretrain(GridPlan plan, string preTraining, IProgress<TrainingProgress> progress, CancellationToken ct)
    {
        var c = plan.Config;
        if (preTraining == "dirty" && c.Cnn14Dirty is not null)
        {
            Guard.FileExists(c.Cnn14Dirty, "cnn14_dirty checkpoint");
            return new StepOutcome($"uses {Path.GetFileName(c.Cnn14Dirty)}");
        }
        var recipe = WithRunSettings(new PretrainRecipe { Seed = c.Seed, Device = c.Device, Threads = c.Threads }, c.Pretraining,
            (r, kv) => r.WithOverrides(kv));
        var job = new PretrainJob(c.AudioSet!, plan.Cnn14Path(preTraining)!, plan.PathOf(Path.Combine("pretrain", preTraining, "run")), recipe)
        {
            CleanAgainstEsc50Dir = preTraining == "clean" ? c.Esc50 : null,
            Filter = LeakageOptions(c),
        };
        var r = AudioPretraining.Run(job, progress, ct);
        if (r.Cancelled) throw new OperationCanceledException(ct);
        var values = new Dictionary<string, double> { ["epochs"] = r.Epochs, ["clips"] = r.Clips, ["removed_clips"] = r.RemovedClips };
        if (r.BestValLoss is double loss) values["best_val_loss"] = loss;
        if (r.ValMeanAveragePrecision is double map) values["val_map"] = map;
        string summary = $"{r.Epochs} epochs on {r.Clips:N0} clips, best val loss {F(r.BestValLoss)}, val mAP {F(r.ValMeanAveragePrecision)}";
        if (preTraining == "clean") summary += $"; removed {r.RemovedClips:N0} clips with {r.RemovedLabels.Count} test-class labels";
        return new StepOutcome(summary, values);
    }
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

    private static LeakageFilterOptions LeakageOptions(GridConfig c) => new(c.Match == "stem" ? WordMatch.Stem : WordMatch.Exact);

    /// <summary>The config's key=value overrides applied on top of the grid-wide seed, device and threads.</summary>
    private static T WithRunSettings<T>(T recipe, Dictionary<string, string> overrides, Func<T, IEnumerable<string>, T> apply) =>
        overrides.Count == 0 ? recipe : apply(recipe, overrides.Select(kv => $"{kv.Key}={kv.Value}"));

    private static string F(double? v) => v is double d ? d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    private static InvalidOperationException NotYet() => new("grid steps are wired after the train/pretrain/report merges");
}
