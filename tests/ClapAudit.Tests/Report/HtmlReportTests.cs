using ClapAudit.Report;

namespace ClapAudit.Tests.Report;

public class HtmlReportTests
{
    private static ReportData TwoSetups(string scatterPng) => new()
    {
        Title = "Test report",
        ClassCount = 50,
        Setups =
        [
            new ReportSetup("dirty", "dirty") { Top1 = 0.7312, SilhouetteAudio = 0.3, SilhouetteAudioBackbone = 0.31, AudioVsText = new TopologyCell(0.46, 4, 0.25, 0.28) },
            new ReportSetup("clean", "none") { Top1 = 0.14 },
        ],
        Correlations =
        [
            new ReportCorrelation("Accuracy vs silhouette of E_a", "silhouette", "accuracy", 2) { Note = "needs at least three setups (have 2)" },
            new ReportCorrelation("log accuracy vs S(E_a, E_t)", "S", "log acc", 6) { Rho = 0.85, P = 0.032, ScatterImage = scatterPng, PaperValue = "rho 0.85, p 0.032" },
        ],
    };

    [Fact]
    public void MissingSetupsAreShownAsMissingNotZeroAndPaperValuesAreLabelled()
    {
        using var dir = Fixtures.TempDir();
        CorrelationPlot.Save(dir.File("scatter"), [0.4, 0.5, 0.45], [0.7, 0.3, 0.5], ["a", "b", "c"], "t", "x", "y");
        string html = HtmlReport.Render(TwoSetups(dir.File("scatter.png")));

        Assert.Contains("<span class=\"val\">0.73</span> <span class=\"ref\">paper 0.73</span>", html);
        Assert.Contains("<span class=\"val\">0.14</span>", html);
        // Four of six setups were not run: four missing cells in Table 1 (top-1) alone.
        string table1 = html[html.IndexOf("id=\"table1\"", StringComparison.Ordinal)..html.IndexOf("<details>", StringComparison.Ordinal)];
        Assert.Equal(4, CountOf(table1, "class=\"missing\">missing"));
        Assert.DoesNotContain(">0.00<", table1);
        Assert.Contains("needs at least three setups (have 2)", html);
        Assert.Contains("Pearson &rho; = 0.85, p = 0.032, n = 6", html);
        Assert.Contains("data:image/png;base64,iVBOR", html); // the scatter PNG is embedded
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "")); // self-contained
    }

    [Fact]
    public void CorrelationPlotWritesPngAndSvg()
    {
        using var dir = Fixtures.TempDir();
        CorrelationPlot.Save(dir.File("c"), [1, 2, 3], [2, 4, 7], ["x", "y", "z"], "title", "a", "b");
        var png = File.ReadAllBytes(dir.File("c.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains("<svg", File.ReadAllText(dir.File("c.svg")));
    }

    private static int CountOf(string s, string what)
    {
        int n = 0, i = 0;
        while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}
