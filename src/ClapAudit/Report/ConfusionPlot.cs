using ClapAudit.Common;

namespace ClapAudit.Report;

/// <summary>
/// A zero-shot confusion matrix as a heat map: row = true class, column = predicted class, each row normalised to the
/// share of the class's items (so classes of different sizes compare), class names on both axes. Readable at 50
/// classes: 1600 x 1600 pixels, names at 9 pt, predicted names turned 90°.
/// </summary>
public static class ConfusionPlot
{
    /// <summary>The row-normalised confusion matrix (rows of classes without items are zero).</summary>
    public static double[,] Matrix(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int classes)
    {
        Guard.Match(labels.Count == predictions.Count, $"confusion: {labels.Count} labels and {predictions.Count} predictions");
        var m = new double[classes, classes];
        var counts = new int[classes];
        for (int i = 0; i < labels.Count; i++) { m[labels[i], predictions[i]]++; counts[labels[i]]++; }
        for (int r = 0; r < classes; r++)
            for (int c = 0; c < classes; c++)
                if (counts[r] > 0) m[r, c] /= counts[r];
        return m;
    }

    /// <summary>Writes <paramref name="pathWithoutExtension"/>.png and .svg.</summary>
    public static void Save(string pathWithoutExtension, double[,] matrix, IReadOnlyList<string> classNames, string title)
    {
        int c = classNames.Count;
        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(matrix);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        // ScottPlot draws row 0 at the top: true classes read downwards, as a confusion matrix is printed.
        var positions = Enumerable.Range(0, c).Select(i => (double)i).ToArray();
        var names = classNames.ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions.Select(p => c - 1 - p).ToArray(), names);
        int font = c > 30 ? 9 : 12;
        plot.Axes.Bottom.TickLabelStyle.FontSize = font;
        plot.Axes.Left.TickLabelStyle.FontSize = font;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 140;
        plot.Axes.Left.MinimumSize = 140;
        plot.Title(title);
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        int size = Math.Max(700, Math.Min(1600, 200 + 28 * c));
        string dir = Path.GetDirectoryName(Path.GetFullPath(pathWithoutExtension))!;
        Directory.CreateDirectory(dir);
        plot.SavePng(pathWithoutExtension + ".png", size, size);
        plot.SaveSvg(pathWithoutExtension + ".svg", size, size);
    }
}
