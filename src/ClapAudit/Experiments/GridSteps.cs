using ClapAudit.Data;
using ClapAudit.Report;
using ClapAudit.Checkpoints;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Models;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;

namespace ClapAudit.Experiments;

/// <summary>The real work behind each grid step: data preparation, pre-training, training, zero-shot, embedding, report.</summary>
public sealed class GridSteps : IGridSteps
{
    /// <summary>Go on when ESC-50 clips have no audio file (a warning per step); false: such a step fails, naming them.</summary>
    public bool AllowMissing { get; init; }

    /// <summary>
    /// The config's ESC-50 folder, refused when some of its clips have no audio file (count and first missing
    /// path) unless <paramref name="allowMissing"/>; then the warning goes to <paramref name="warnings"/>.
    /// <c>grid</c> calls it before the first step, so a run is not refused hours in.
    /// </summary>
    public static ZeroShotTestSet ReadTestSet(GridConfig config, bool allowMissing, IProgress<string>? warnings)
    {
        var data = Esc50Reader.Read(config.Esc50!);
        if (data.CheckComplete(allowMissing) is { } warning) warnings?.Report($"warning: {warning}");
        return data;
    }

    /// <summary>The pair manifest of Clotho/AudioCaps/FSD50K/MACS; "clean" drops every audio whose captions hold an ESC-50 class word.</summary>
    public StepOutcome PrepareData(GridPlan plan, string training, IProgress<string> progress, CancellationToken ct)
    {
        var c = plan.Config;
        bool clean = training == "clean";
        string? exclude = null;
        if (clean && c.ExcludeOverlap)
        {
            string overlapDir = Path.Combine(plan.ManifestDirectory(training), "overlap");
            progress.Report($"finding ESC-50 clips in the training audio (data overlap --content) into {overlapDir}");
            OverlapFinder.Find(new OverlapOptions(overlapDir, Esc50Dir: c.Esc50, ClothoDir: c.Clotho, Fsd50kDir: c.Fsd50k,
                AudioCapsDir: c.AudioCaps, MacsDir: c.Macs, Content: true, Threads: c.Threads), null, ct);
            exclude = Path.Combine(overlapDir, OverlapResult.ExcludeFile);
        }
        var result = ManifestBuilder.Build(new ManifestBuildOptions(
            plan.ManifestDirectory(training), c.Clotho, c.AudioCaps, c.Fsd50k, c.Macs,
            Esc50Dir: clean ? c.Esc50 : null,
            Split: new SplitOptions(Seed: c.Seed),
            Leakage: LeakageOptions(c),
            ExcludeFile: exclude), progress, ct);
        var values = new Dictionary<string, double> { ["train_pairs"] = result.Summary.TrainPairs, ["val_pairs"] = result.Summary.ValPairs };
        string summary = $"{result.Summary.TrainPairs:N0} train / {result.Summary.ValPairs:N0} val pairs";
        if (result.Leakage is { } leak)
        {
            values["removed_pairs"] = leak.Removed.Pairs;
            values["removed_audio"] = leak.Removed.Audio;
            summary += $"; leakage filter removed {leak.Removed.Pairs:N0} pairs ({leak.Removed.Audio:N0} audio)";
        }
        if (result.Excluded is { } ex)
        {
            values["excluded_pairs"] = ex.Removed.Pairs;
            summary += $"; overlap excluded {ex.Removed.Pairs:N0} pairs ({ex.Removed.Audio:N0} audio)";
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
        var recipe = c.BuildPretrainRecipe();
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
    /// <summary>x_a of a pre-trained CNN14 and x_t of BERT, with no cross-modal training (Figure 4), preprocessed as the CLAP recipe does.</summary>
    public StepOutcome EmbedBackbones(GridPlan plan, string preTraining, IProgress<string> progress, CancellationToken ct)
    {
        var c = plan.Config;
        var recipe = c.BuildTrainingRecipe();
        var data = ReadTestSet(c, AllowMissing, progress);
        EmbeddingExport.ExportBackbones(plan.Cnn14Path(preTraining), null, c.Bert!, data, plan.BackboneBundleDirectory(preTraining),
            recipe.AudioPreprocessing(), recipe.LogMelOptions(), promptTemplate: c.Prompt, warnings: progress, seed: c.Seed, ct: ct);
        return new StepOutcome($"x_a and x_t of {data.Items.Count:N0} clips, {data.ClassNames.Count} classes");
    }

    /// <summary>CLAP training with the recipe (plus the config's overrides); resumes from the run's own checkpoint.</summary>
    public StepOutcome Train(GridPlan plan, GridSetup setup, IProgress<TrainingProgress> progress, CancellationToken ct)
    {
        var c = plan.Config;
        var recipe = c.BuildTrainingRecipe();
        var job = new ClapTrainJob(plan.ManifestDirectory(setup.Training), c.Bert!, plan.Cnn14Path(setup.PreTraining), plan.RunDirectory(setup), recipe)
        {
            RandomInit = setup.PreTraining == "none" ? RandomInit(plan, recipe) : null,
        };
        var r = ClapTraining.Run(job, progress, ct);
        if (r.Status == TrainingStatus.Cancelled) throw new OperationCanceledException(ct);
        return new StepOutcome($"{r.EpochsCompleted} epochs ({r.Status.ToString().ToLowerInvariant()}), best val loss {F(r.BestValLoss)} at epoch {r.BestEpoch}",
            new Dictionary<string, double> { ["epochs"] = r.EpochsCompleted, ["best_val_loss"] = r.BestValLoss, ["best_epoch"] = r.BestEpoch });
    }

    /// <summary>Zero-shot accuracy of the trained model on the test set (best checkpoint), with the confusion matrix.</summary>
    public StepOutcome ZeroShot(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct)
    {
        var c = plan.Config;
        using var model = ClapModelLoader.Load(plan.RunDirectory(setup), device: c.Device);
        var data = ReadTestSet(c, AllowMissing, progress);
        var report = ZeroShotEvaluation.Evaluate(model, data, c.Prompt, ct: ct);
        string json = plan.ZeroShotPath(setup);
        string dir = Path.GetDirectoryName(json)!;
        report.WriteJson(json);
        report.WriteConfusionCsv(Path.Combine(dir, "confusion.csv"));
        report.SaveConfusionPlot(Path.Combine(dir, "confusion"));
        return new StepOutcome($"top-1 {F(report.Top1)}, top-5 {F(report.Top5)} on {report.NItems:N0} clips",
            new Dictionary<string, double> { ["top1"] = report.Top1, ["top5"] = report.Top5 });
    }

    /// <summary>The embedding bundle (x_a, E_a, x_t, E_t, labels) that the audit and the report read.</summary>
    public StepOutcome Embed(GridPlan plan, GridSetup setup, IProgress<string> progress, CancellationToken ct)
    {
        var c = plan.Config;
        using var model = ClapModelLoader.Load(plan.RunDirectory(setup), device: c.Device);
        var data = ReadTestSet(c, AllowMissing, progress);
        EmbeddingExport.Export(model, data, plan.BundleDirectory(setup), c.Prompt, ct: ct);
        return new StepOutcome($"{data.Items.Count:N0} clips, {data.ClassNames.Count} classes");
    }

    /// <summary>
    /// The "none" pre-training: a randomly initialised CNN14 as wide as the config says, else as wide as the
    /// dirty checkpoint (so that only the weights differ between setups), else PANNs' size.
    /// </summary>
    private static Cnn14Options? RandomInit(GridPlan plan, TrainingRecipe recipe)
    {
        if (plan.Config.RandomInitChannels.Count > 0)
            return new Cnn14Options { Channels = plan.Config.RandomInitChannels, MelBins = recipe.MelBins };
        string? dirty = plan.Cnn14Path("dirty");
        if (dirty is not null && File.Exists(dirty))
        {
            using var loaded = Cnn14Checkpoint.Load(dirty, strict: false);
            return loaded.Options;
        }
        return null;
    }

    /// <summary>Writes GRID_DIR/report.html (and report.json, figures) from grid.json; returns the HTML path.</summary>
    public static string WriteReport(GridPlan plan, IProgress<string> progress, CancellationToken ct) =>
        ReportBuilder.BuildFromGrid(plan.GridDirectory, new ReportOptions
        {
            HtmlPath = Path.Combine(plan.GridDirectory, "report.html"),
            Seed = plan.Config.Seed,
        }, progress, ct).HtmlPath;

    private static LeakageFilterOptions LeakageOptions(GridConfig c) => new(c.Match == "stem" ? WordMatch.Stem : WordMatch.Exact);

    private static string F(double? v) => v is double d ? d.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    private static InvalidOperationException NotYet() => new("grid steps are wired after the train/pretrain/report merges");
}
