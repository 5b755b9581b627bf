using System.Buffers.Binary;
using System.Xml.Linq;
using ClapAudit.Common;
using ClapAudit.Report;

namespace ClapAudit.Tests.Report;

public class EmbeddingMapPlotTests
{
    // ESC-50's class names, the audit's main case (50 classes).
    private static readonly string[] Esc50 =
    [
        "dog", "rooster", "pig", "cow", "frog", "cat", "hen", "insects", "sheep", "crow", "rain", "sea_waves",
        "crackling_fire", "crickets", "chirping_birds", "water_drops", "wind", "pouring_water", "toilet_flush",
        "thunderstorm", "crying_baby", "sneezing", "clapping", "breathing", "coughing", "footsteps", "laughing",
        "brushing_teeth", "snoring", "drinking_sipping", "door_wood_knock", "mouse_click", "keyboard_typing",
        "door_wood_creaks", "can_opening", "washing_machine", "vacuum_cleaner", "clock_alarm", "clock_tick",
        "glass_breaking", "helicopter", "chainsaw", "siren", "car_horn", "engine", "train", "church_bells",
        "airplane", "fireworks", "hand_saw",
    ];

    [Fact]
    public void WritesA1200x1000PngAndAnSvgFor50ClassesAnd2000Points()
    {
        var rng = new Random(3);
        int n = 2000;
        var labels = new int[n];
        var xy = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 50;
            labels[i] = c;
            double angle = c * 2 * Math.PI / 50 * 7, radius = 20 + 25 * (c % 5);
            xy[2 * i] = radius * Math.Cos(angle) + 3 * Gaussian(rng);
            xy[2 * i + 1] = radius * Math.Sin(angle) + 3 * Gaussian(rng);
        }
        using var dir = Fixtures.TempDir();
        string stem = dir.File("audio");
        EmbeddingMapPlot.Save(stem, xy, labels, Esc50, "t-SNE of audio embeddings (50 classes)");

        var png = File.ReadAllBytes(stem + ".png");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(EmbeddingMapPlot.Width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));  // IHDR width
        Assert.Equal(EmbeddingMapPlot.Height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        var svg = XDocument.Load(stem + ".svg");
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        // Every class name is written once, as text.
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToHashSet();
        Assert.All(Esc50, name => Assert.Contains(name, texts));

        if (Environment.GetEnvironmentVariable("CLAPAUDIT_KEEP_PLOTS") is { Length: > 0 } keep)
        {
            File.Copy(stem + ".png", Path.Combine(keep, "map50.png"), true);
            File.Copy(stem + ".svg", Path.Combine(keep, "map50.svg"), true);
        }
    }

    [Fact]
    public void ColoursAndMarkersTell50ClassesApart()
    {
        var styles = Enumerable.Range(0, 50).Select(c => (EmbeddingMapPlot.ColorOf(c), EmbeddingMapPlot.ShapeOf(c))).ToHashSet();
        Assert.Equal(50, styles.Count);
    }

    [Fact]
    public void RejectsLabelsOutsideTheClassList()
    {
        using var dir = Fixtures.TempDir();
        var ex = Assert.Throws<ClapAuditException>(() =>
            EmbeddingMapPlot.Save(dir.File("x"), new double[6], [0, 1, 2], ["a", "b"], "t"));
        Assert.Equal(ErrorKind.Mismatch, ex.Kind);
        Assert.Contains("row 2", ex.Message);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
