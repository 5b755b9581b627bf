namespace ClapAudit.Report;

/// <summary>Scatter plot of one quantity against another across setups, each point labelled (e.g. "dirty/clean").</summary>
public static class CorrelationPlot
{
    /// <summary>Writes <paramref name="pathWithoutExtension"/>.png and .svg.</summary>
    public static void Save(string pathWithoutExtension, IReadOnlyList<double> xs, IReadOnlyList<double> ys, IReadOnlyList<string> labels,
        string title, string xLabel, string yLabel)
    {
        var plot = new ScottPlot.Plot();
        var scatter = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        scatter.MarkerSize = 10;
        scatter.Color = ScottPlot.Color.FromHex("#1f77b4");
        for (int i = 0; i < xs.Count; i++)
        {
            var text = plot.Add.Text(labels[i], xs[i], ys[i]);
            text.LabelFontSize = 13;
            text.LabelOffsetX = 6;
            text.LabelOffsetY = -6;
        }
        if (xs.Count >= 2)
        {
            // Least-squares line: the trend the Pearson coefficient measures.
            double mx = xs.Average(), my = ys.Average();
            double sxx = xs.Sum(x => (x - mx) * (x - mx));
            if (sxx > 0)
            {
                double slope = xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / sxx;
                double x0 = xs.Min(), x1 = xs.Max();
                var line = plot.Add.Line(x0, my + slope * (x0 - mx), x1, my + slope * (x1 - mx));
                line.LineColor = ScottPlot.Color.FromHex("#999999");
                line.LinePattern = ScottPlot.LinePattern.Dashed;
            }
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // Room on the right for the labels written to the right of each point (they must not be cut off).
        plot.Axes.Margins(left: 0.08, right: 0.3, bottom: 0.1, top: 0.15);
        string dir = Path.GetDirectoryName(Path.GetFullPath(pathWithoutExtension))!;
        Directory.CreateDirectory(dir);
        plot.SavePng(pathWithoutExtension + ".png", 800, 600);
        plot.SaveSvg(pathWithoutExtension + ".svg", 800, 600);
    }
}
