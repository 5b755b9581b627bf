using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Common;

namespace ClapAudit.Experiments;

/// <summary>
/// Writes <c>grid.json</c>, the index the report reads (docs/formats.md): every selected setup with
/// the folders of its bundle, run and zero-shot result, the backbone-only bundles of Figure 4 and the
/// leakage report. Setups not yet run are listed too; the report shows them as missing.
/// </summary>
public static class GridIndex
{
    public const string FileName = "grid.json";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Write(GridPlan plan)
    {
        string Rel(string path) => Path.GetRelativePath(plan.GridDirectory, path).Replace('\\', '/');
        var setups = new JsonArray();
        foreach (var s in plan.Config.SelectedSetups())
            setups.Add(new JsonObject
            {
                ["training"] = s.Training,
                ["pretraining"] = s.PreTraining,
                ["bundle"] = Rel(plan.BundleDirectory(s)),
                ["run"] = Rel(plan.RunDirectory(s)),
                ["zeroshot"] = Rel(plan.ZeroShotPath(s)),
            });

        var backbones = new JsonArray();
        var pretrained = plan.Steps.Where(st => st.Kind == GridStepKind.Backbones).Select(st => st.Variant!).ToList();
        foreach (var p in pretrained)
            backbones.Add(new JsonObject
            {
                ["caption"] = $"x_a, {p} pre-training",
                ["bundle"] = Rel(plan.BackboneBundleDirectory(p)),
                ["representation"] = "audio_backbone",
            });
        if (pretrained.Count > 0)
            backbones.Add(new JsonObject
            {
                ["caption"] = "x_t (text backbone)",
                ["bundle"] = Rel(plan.BackboneBundleDirectory(pretrained[0])),
                ["representation"] = "text_backbone",
            });

        var index = new JsonObject
        {
            ["version"] = 1,
            ["title"] = plan.Config.Title,
            ["setups"] = setups,
            ["backbones"] = backbones,
            ["notes"] = new JsonArray(),
        };
        if (plan.Steps.Any(st => st.Kind == GridStepKind.Data && st.Variant == "clean"))
            index["leakage"] = Rel(plan.LeakageReportPath);
        AtomicFile.WriteAllText(Path.Combine(plan.GridDirectory, FileName), index.ToJsonString(JsonOptions));
    }
}
