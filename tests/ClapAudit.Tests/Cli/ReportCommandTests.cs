using System.Text.Json.Nodes;
using ClapAudit.Tests.Report;

namespace ClapAudit.Tests.Cli;

public class ReportCommandTests
{
    [Fact]
    public void GridReportPrintsTheTablesAndWritesHtmlJsonAndScatterPlots()
    {
        using var dir = Fixtures.TempDir();
        string grid = dir.File("grid");
        SyntheticGrid.Write(grid, missing: [("clean", "none")]);
        var (code, stdout, stderr) = CliTestHost.Run("report", grid, "--no-tsne", "--out", dir.File("r.html"));
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        foreach (var s in new[] { "Table 1: zero-shot top-1 accuracy", "random guess 1/C = 0.125", "Table 2: silhouette (cosine)", "Table 3: topological similarity",
                     "Correlations across setups", "Report: " + dir.File("r.html"), "clean/none missing:" })
            Assert.Contains(s, stdout);
        Assert.Contains("missing", stdout);
        var json = JsonNode.Parse(File.ReadAllText(dir.File("r.json")))!;
        double top1 = (double)json["setups"]![0]!["audit"]!["zero_shot"]!["top1"]!;
        Assert.Contains(top1.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), stdout);
        Assert.True(File.Exists(dir.File("r_files/correlation_top1_vs_silhouette_audio.png")));
        Assert.True(File.Exists(dir.File("r_files/correlation_top1_vs_silhouette_audio.svg")));
    }

    [Fact]
    public void SetupListWithTwoBundlesSaysCorrelationsNeedThree()
    {
        using var dir = Fixtures.TempDir();
        SyntheticGrid.WriteBundle(dir.File("a"), 2, 10, 16, 1, backboneOnly: false);
        SyntheticGrid.WriteBundle(dir.File("b"), 1, 10, 16, 2, backboneOnly: false);
        SyntheticGrid.WriteBundle(dir.File("bb"), 1, 10, 16, 3, backboneOnly: true);
        File.WriteAllText(dir.File("leak.json"), SyntheticGrid.Leakage.ToJsonString());
        var (code, stdout, stderr) = CliTestHost.Run("report", "--setup", "dirty/dirty=" + dir.File("a"), "--setup", "clean/none=" + dir.File("b"),
            "--backbone", "x_a, dirty pre-training=" + dir.File("bb"), "--backbone", "x_t=" + dir.File("bb"),
            "--leakage", dir.File("leak.json"), "--no-tsne", "--out", dir.File("o.html"));
        Assert.Equal("", stderr);
        Assert.Equal(0, code);
        Assert.Contains("not computed: needs at least 3 setups with both values (have 2)", stdout);
        string html = File.ReadAllText(dir.File("o.html"));
        Assert.Contains("x_a, dirty pre-training", html);
        Assert.Contains("Leakage filter: by dataset", html);
        var json = JsonNode.Parse(File.ReadAllText(dir.File("o.json")))!;
        Assert.Equal("text_backbone", (string)json["backbones"]![1]!["representation"]!);
    }

    [Theory]
    [InlineData(new[] { "report" }, 2, "give a GRID_DIR or at least one --setup")]
    [InlineData(new[] { "report", "--setup", "dirty=x" }, 2, "expected TRAINING/PRETRAINING=BUNDLE")]
    [InlineData(new[] { "report", "--setup", "dirty/dirty=does-not-exist" }, 3, "does-not-exist")]
    [InlineData(new[] { "report", "no-such-grid" }, 3, "no-such-grid")]
    public void BadArgumentsGiveOneLineAndAnExitCode(string[] args, int expected, string message)
    {
        var (code, _, stderr) = CliTestHost.Run(args);
        Assert.Equal(expected, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }
}
