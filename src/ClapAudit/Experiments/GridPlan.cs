namespace ClapAudit.Experiments;

public enum GridStepKind { Data, Pretrain, Backbones, Train, ZeroShot, Embed }

/// <summary>
/// One step of a grid: its own output folder (relative to the grid folder), what it needs first,
/// and what it is about. A step is complete when its folder holds a "done" marker.
/// </summary>
public sealed record GridStep(string Name, GridStepKind Kind, string Folder, IReadOnlyList<string> DependsOn)
{
    /// <summary>The setup a train/zeroshot/embed step belongs to.</summary>
    public GridSetup? Setup { get; init; }
    /// <summary>"dirty" or "clean" for data, pre-training and backbone steps.</summary>
    public string? Variant { get; init; }
}

/// <summary>The ordered steps of a grid and the paths every step reads and writes.</summary>
public sealed class GridPlan
{
    public GridConfig Config { get; }
    public string GridDirectory { get; }
    public IReadOnlyList<GridStep> Steps { get; }

    public GridPlan(GridConfig config, string gridDirectory)
    {
        Config = config;
        GridDirectory = Path.GetFullPath(gridDirectory);
        Steps = Build(config);
    }

    public string PathOf(string relative) => Path.Combine(GridDirectory, relative);

    public string ManifestDirectory(string training) => PathOf(Path.Combine("data", training));
    public string LeakageReportPath => Path.Combine(ManifestDirectory("clean"), "leakage.json");

    /// <summary>The CNN14 file of a pre-training kind (null for "none": random initialisation).</summary>
    public string? Cnn14Path(string preTraining) => preTraining switch
    {
        "dirty" => Config.Cnn14Dirty ?? PathOf(Path.Combine("pretrain", "dirty", "cnn14.pth")),
        "clean" => PathOf(Path.Combine("pretrain", "clean", "cnn14.pth")),
        _ => null,
    };

    public string RunDirectory(GridSetup s) => PathOf(Path.Combine("setups", s.FolderName, "run"));
    public string ZeroShotPath(GridSetup s) => PathOf(Path.Combine("setups", s.FolderName, "zeroshot", "zeroshot.json"));
    public string BundleDirectory(GridSetup s) => PathOf(Path.Combine("setups", s.FolderName, "bundle"));
    public string BackboneBundleDirectory(string preTraining) => PathOf(Path.Combine("backbones", preTraining, "bundle"));

    private static IReadOnlyList<GridStep> Build(GridConfig config)
    {
        var setups = config.SelectedSetups();
        var steps = new List<GridStep>();
        foreach (var t in GridSetup.TrainingKinds.Where(t => setups.Any(s => s.Training == t)))
            steps.Add(new GridStep($"data {t}", GridStepKind.Data, Path.Combine("data", t), []) { Variant = t });

        var pretrainings = GridSetup.PreTrainingKinds.Where(p => p != "none" && setups.Any(s => s.PreTraining == p)).ToList();
        // Figure 4 needs the dirty and clean backbones even when only some setups use them.
        foreach (var p in pretrainings)
            steps.Add(new GridStep($"pretrain {p}", GridStepKind.Pretrain, Path.Combine("pretrain", p), []) { Variant = p });
        foreach (var p in pretrainings)
            steps.Add(new GridStep($"backbones {p}", GridStepKind.Backbones, Path.Combine("backbones", p), [$"pretrain {p}"]) { Variant = p });

        foreach (var s in setups)
        {
            string dir = Path.Combine("setups", s.FolderName);
            var trainDeps = new List<string> { $"data {s.Training}" };
            if (s.PreTraining != "none") trainDeps.Add($"pretrain {s.PreTraining}");
            steps.Add(new GridStep($"train {s}", GridStepKind.Train, Path.Combine(dir, "run"), trainDeps) { Setup = s });
            steps.Add(new GridStep($"zeroshot {s}", GridStepKind.ZeroShot, Path.Combine(dir, "zeroshot"), [$"train {s}"]) { Setup = s });
            steps.Add(new GridStep($"embed {s}", GridStepKind.Embed, Path.Combine(dir, "bundle"), [$"train {s}"]) { Setup = s });
        }
        return steps;
    }
}
