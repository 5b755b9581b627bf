using ClapAudit.Common;

namespace ClapAudit.Experiments;

/// <summary>
/// One of the paper's six setups: training data (dirty or clean captions) x audio pre-training
/// (dirty: test classes seen; clean: test classes removed; none: random initialisation).
/// </summary>
public sealed record GridSetup(string Training, string PreTraining)
{
    public static readonly string[] TrainingKinds = ["dirty", "clean"];
    public static readonly string[] PreTrainingKinds = ["dirty", "clean", "none"];

    /// <summary>All six, in the paper's order (Figure 2's panels a-f).</summary>
    public static IReadOnlyList<GridSetup> All { get; } =
        TrainingKinds.SelectMany(t => PreTrainingKinds.Select(p => new GridSetup(t, p))).ToArray();

    /// <summary>Parses "dirty/clean" (training/pre-training).</summary>
    public static GridSetup Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts.Length != 2 || !TrainingKinds.Contains(parts[0]) || !PreTrainingKinds.Contains(parts[1]))
            throw new ClapAuditException(ErrorKind.InvalidSetting,
                $"setup '{text}' must be TRAINING/PRETRAINING with training dirty|clean and pre-training dirty|clean|none, e.g. dirty/clean");
        return new GridSetup(parts[0], parts[1]);
    }

    /// <summary>"dirty/clean"</summary>
    public override string ToString() => $"{Training}/{PreTraining}";

    /// <summary>Folder name under setups/: "dirty-clean".</summary>
    public string FolderName => $"{Training}-{PreTraining}";
}
