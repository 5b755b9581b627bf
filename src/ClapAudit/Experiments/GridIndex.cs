using System.Text.Json;
using ClapAudit.Report;

namespace ClapAudit.Experiments;

/// <summary>
/// Writes <c>grid.json</c>, the index the report reads (<see cref="GridManifest"/>, docs/formats.md): every
/// selected setup with the folders of its bundle, run and zero-shot result, the backbone-only bundles of
/// Figure 4 and the leakage report. Setups not yet run are listed too; the report shows them as missing.
/// </summary>
public static class GridIndex
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static GridManifest For(GridPlan plan)
    {
        var pretrained = plan.Steps.Where(st => st.Kind == GridStepKind.Backbones).Select(st => st.Variant!).ToList();
        var backbones = pretrained
            .Select(p => new GridManifestBackbone($"x_a, {p} pre-training", plan.BackboneBundleDirectory(p), "audio_backbone"))
            .ToList();
        if (pretrained.Count > 0)
            backbones.Add(new GridManifestBackbone("x_t (text backbone)", plan.BackboneBundleDirectory(pretrained[0]), "text_backbone"));
        return new GridManifest
        {
            Title = plan.Config.Title,
            Setups = plan.Config.SelectedSetups()
                .Select(s => new GridManifestSetup(s.Training, s.PreTraining, plan.BundleDirectory(s), plan.RunDirectory(s), plan.ZeroShotPath(s)))
                .ToList(),
            Backbones = backbones,
            Leakage = plan.Steps.Any(st => st.Kind == GridStepKind.Data && st.Variant == "clean") ? plan.LeakageReportPath : null,
        };
    }

    public static void Write(GridPlan plan) => For(plan).Save(plan.GridDirectory);
}
