using ClapAudit.Common;
using ScottPlot;

namespace ClapAudit.Report;

/// <summary>
/// A class-coloured scatter plot of a 2-D map (t-SNE): one colour and marker per class (20 high-contrast
/// colours x 3 shapes, so 60 classes stay distinguishable), each class name written at the class's median
/// point on a light box in the class colour, no legend (it would overflow with 50 classes).
/// Written as PNG (1200 x 1000) and SVG.
/// </summary>
public static class EmbeddingMapPlot
{
    public const int Width = 1200, Height = 1000;

    /// <summary>Kelly's colours of maximum contrast, without white and black.</summary>
    private static readonly string[] Palette =
    [
        "#BE0032", "#0067A5", "#008856", "#F38400", "#875692", "#F3C300", "#A1CAF1", "#882D17", "#8DB600", "#E68FAC",
        "#604E97", "#F6A600", "#B3446C", "#2B3D26", "#848482", "#E25822", "#C2B280", "#654522", "#F99379", "#DCD300",
    ];

    private static readonly MarkerShape[] Shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp];

    /// <summary>Colour of class <paramref name="c"/> (hex, #RRGGBB).</summary>
    public static string ColorOf(int c) => Palette[c % Palette.Length];

    /// <summary>Marker of class <paramref name="c"/>: the shape changes each time the colours wrap round.</summary>
    public static MarkerShape ShapeOf(int c) => Shapes[c / Palette.Length % Shapes.Length];

    /// <summary>
    /// Writes <paramref name="pathWithoutExtension"/>.png and .svg: the points of <paramref name="xy"/>
    /// (n x 2 row-major) coloured by <paramref name="labels"/> (indices into <paramref name="classNames"/>).
    /// Classes without points get no label.
    /// </summary>
    /// <exception cref="ClapAuditException">Lengths that do not match or a label outside the class list.</exception>
    public static void Save(string pathWithoutExtension, double[] xy, int[] labels, IReadOnlyList<string> classNames, string title)
    {
        ArgumentNullException.ThrowIfNull(xy);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        int n = labels.Length;
        Guard.Match(xy.Length == 2 * n, $"map plot: {xy.Length} coordinates for {n} labels, expected {2 * n} (n x 2)");
        for (int i = 0; i < n; i++)
            Guard.Match(labels[i] >= 0 && labels[i] < classNames.Count,
                $"map plot: label {labels[i]} at row {i} is outside the {classNames.Count} class names");

        var plot = new Plot();
        var byClass = Enumerable.Range(0, classNames.Count).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < n; i++) byClass[labels[i]].Add(i);

        for (int c = 0; c < classNames.Count; c++)
        {
            if (byClass[c].Count == 0) continue;
            var xs = byClass[c].Select(i => xy[2 * i]).ToArray();
            var ys = byClass[c].Select(i => xy[2 * i + 1]).ToArray();
            var scatter = plot.Add.ScatterPoints(xs, ys);
            scatter.MarkerShape = ShapeOf(c);
            scatter.MarkerSize = 6;
            scatter.Color = Color.FromHex(ColorOf(c)).WithAlpha(0.8);
        }

        // Names go on top of every point, at the median so that outliers do not drag them off the cluster,
        // then nudged vertically until no two label boxes overlap.
        var present = Enumerable.Range(0, classNames.Count).Where(c => byClass[c].Count > 0).ToArray();
        var lx = present.Select(c => Median(byClass[c].Select(i => xy[2 * i]))).ToArray();
        var ly = present.Select(c => Median(byClass[c].Select(i => xy[2 * i + 1]))).ToArray();
        var names = present.Select(c => classNames[c]).ToArray();
        var (hw, hh) = LabelHalfSizes(xy, names);
        SeparateLabels(names, lx, ly, hw, hh);
        for (int t = 0; t < present.Length; t++)
        {
            int c = present[t];
            var text = plot.Add.Text(classNames[c], lx[t], ly[t]);
            text.LabelFontSize = 12;
            text.LabelBold = true;
            text.LabelFontColor = Color.FromHex("#202020");
            text.LabelBackgroundColor = Colors.White.WithAlpha(0.78);
            text.LabelBorderColor = Color.FromHex(ColorOf(c));
            text.LabelBorderWidth = 1.5f;
            text.LabelBorderRadius = 3;
            text.LabelPadding = 2;
            text.LabelAlignment = Alignment.MiddleCenter;
        }

        plot.Title(title, 18);
        plot.HideGrid();
        plot.Axes.Bottom.Label.Text = "t-SNE 1";
        plot.Axes.Left.Label.Text = "t-SNE 2";
        plot.Axes.Margins(0.06, 0.06);
        if (present.Length > 0)
        {
            // Widen the view so that label boxes of clusters at the edge are not cut off.
            plot.Axes.AutoScale();
            var limits = plot.Axes.GetLimits();
            double left = Math.Min(limits.Left, Enumerable.Range(0, names.Length).Min(t => lx[t] - hw[t]));
            double right = Math.Max(limits.Right, Enumerable.Range(0, names.Length).Max(t => lx[t] + hw[t]));
            double bottom = Math.Min(limits.Bottom, ly.Min() - hh);
            double top = Math.Max(limits.Top, ly.Max() + hh);
            plot.Axes.SetLimits(left, right, bottom, top);
        }

        AtomicFile.WriteAllBytes(pathWithoutExtension + ".png", plot.GetImageBytes(Width, Height, ImageFormat.Png));
        AtomicFile.WriteAllText(pathWithoutExtension + ".svg", plot.GetSvgXml(Width, Height));
    }

    /// <summary>
    /// Pushes overlapping label boxes apart along y (boxes estimated from the font size and the plot's
    /// data-to-pixel scale); a few dozen sweeps settle 50 labels. O(labels^2) per sweep.
    /// </summary>
    private static void SeparateLabels(string[] names, double[] lx, double[] ly, double[] hw, double hh)
    {
        if (names.Length < 2) return;
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool moved = false;
            for (int a = 0; a < names.Length; a++)
                for (int b = a + 1; b < names.Length; b++)
                {
                    double dx = lx[b] - lx[a], dy = ly[b] - ly[a];
                    if (Math.Abs(dx) >= hw[a] + hw[b] || Math.Abs(dy) >= 2 * hh) continue;
                    double push = (2 * hh - Math.Abs(dy)) / 2 + 1e-9;
                    double dir = dy > 0 || (dy == 0 && a < b) ? 1 : -1;
                    ly[b] += dir * push; ly[a] -= dir * push;
                    moved = true;
                }
            if (!moved) return;
        }
    }

    /// <summary>Half width of each label box and half height of one, in data units (from the font size and the data-to-pixel scale).</summary>
    private static (double[] HalfWidths, double HalfHeight) LabelHalfSizes(double[] xy, string[] names)
    {
        double xmin = double.MaxValue, xmax = double.MinValue, ymin = double.MaxValue, ymax = double.MinValue;
        for (int i = 0; i < xy.Length / 2; i++)
        {
            xmin = Math.Min(xmin, xy[2 * i]); xmax = Math.Max(xmax, xy[2 * i]);
            ymin = Math.Min(ymin, xy[2 * i + 1]); ymax = Math.Max(ymax, xy[2 * i + 1]);
        }
        // Approximate data units per pixel of the data area (frame, ticks and title take about 120 x 110 px).
        double ux = Math.Max(xmax - xmin, 1e-12) * 1.12 / (Width - 120);
        double uy = Math.Max(ymax - ymin, 1e-12) * 1.12 / (Height - 110);
        return (names.Select(s => (s.Length * 7.6 + 10) / 2 * ux).ToArray(), 11 * uy);
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
