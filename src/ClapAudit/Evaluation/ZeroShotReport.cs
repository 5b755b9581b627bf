using System.Globalization;
using System.Text;
using System.Text.Json;
using ClapAudit.Common;

namespace ClapAudit.Evaluation;

/// <summary>
/// Zero-shot results on a labelled set: top-1/top-5 accuracy, per-class accuracy (classes without
/// items are NaN) and the confusion matrix (row = true class, column = predicted), classes in target order.
/// </summary>
public sealed record ZeroShotReport(double Top1, double Top5, IReadOnlyDictionary<string, double> PerClass, int[,] Confusion,
    int NItems, IReadOnlyList<string> ClassNames)
{
    public static ZeroShotReport From(ZeroShotResult result, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        int c = classNames.Count;
        var confusion = new int[c, c];
        for (int i = 0; i < labels.Count; i++) confusion[labels[i], result.Predictions[i]]++;
        var perClass = new Dictionary<string, double>();
        for (int k = 0; k < c; k++)
        {
            int total = 0;
            for (int j = 0; j < c; j++) total += confusion[k, j];
            perClass[classNames[k]] = total == 0 ? double.NaN : (double)confusion[k, k] / total;
        }
        return new ZeroShotReport(result.Top1, result.Top5, perClass, confusion, labels.Count, classNames);
    }

    /// <summary>{"top1", "top5", "per_class": {name: acc}, "n_items", "classes": [...]} (NaN as null).</summary>
    public void WriteJson(string path)
    {
        var doc = new Dictionary<string, object?>
        {
            ["top1"] = Top1,
            ["top5"] = Top5,
            ["per_class"] = ClassNames.ToDictionary(n => n, n => double.IsNaN(PerClass[n]) ? (double?)null : PerClass[n]),
            ["n_items"] = NItems,
            ["classes"] = ClassNames,
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>A CSV with a header row of predicted classes and one row per true class.</summary>
    public void WriteConfusionCsv(string path)
    {
        static string Q(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder("true\\predicted");
        foreach (var n in ClassNames) sb.Append(',').Append(Q(n));
        sb.Append('\n');
        for (int i = 0; i < ClassNames.Count; i++)
        {
            sb.Append(Q(ClassNames[i]));
            for (int j = 0; j < ClassNames.Count; j++) sb.Append(',').Append(Confusion[i, j].ToString(CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Heat map of the row-normalised confusion matrix: <paramref name="pathWithoutExtension"/>.png and .svg.</summary>
    public void SaveConfusionPlot(string pathWithoutExtension)
    {
        int c = ClassNames.Count;
        var values = new double[c, c];
        for (int i = 0; i < c; i++)
        {
            double total = 0;
            for (int j = 0; j < c; j++) total += Confusion[i, j];
            // ScottPlot draws row 0 at the top, as a confusion matrix reads.
            for (int j = 0; j < c; j++) values[i, j] = total > 0 ? Confusion[i, j] / total : 0;
        }
        var plot = new ScottPlot.Plot();
        var heat = plot.Add.Heatmap(values);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heat);
        var ticks = Enumerable.Range(0, c).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ClassNames.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Left.SetTicks(ticks, ClassNames.Reverse().ToArray());
        plot.Title($"Zero-shot confusion (top-1 {Top1:P1}, {NItems} clips)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        string dir = Path.GetDirectoryName(Path.GetFullPath(pathWithoutExtension))!;
        Directory.CreateDirectory(dir);
        int size = Math.Max(600, 200 + 16 * c);
        plot.SavePng(pathWithoutExtension + ".png", size, size);
        plot.SaveSvg(pathWithoutExtension + ".svg", size, size);
    }
}
