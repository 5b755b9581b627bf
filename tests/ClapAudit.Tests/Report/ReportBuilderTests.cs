using System.Text.Json.Nodes;
using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Report;

namespace ClapAudit.Tests.Report;

public class ReportBuilderTests
{
    private static ReportOutcome Build(TempDir dir, bool tsne = false, IEnumerable<(string, string)>? missing = null)
    {
        string grid = Path.Combine(dir.Path, "grid");
        SyntheticGrid.Write(grid, missing);
        return ReportBuilder.BuildFromGrid(grid, new ReportOptions { Tsne = tsne, HtmlPath = Path.Combine(dir.Path, "out", "report.html") });
    }

    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"section {id} not found");
        int end = html.IndexOf("<section", start, StringComparison.Ordinal);
        return end < 0 ? html[start..] : html[start..end];
    }

    [Fact]
    public void GridReportHasEveryTableWithTheAuditsValuesAndMissingSetupsAsMissing()
    {
        using var dir = Fixtures.TempDir();
        var outcome = Build(dir, missing: [("clean", "none")]);
        string html = File.ReadAllText(outcome.HtmlPath);

        // Top-1 of dirty/dirty is EmbeddingAudit's own number, in the HTML (2 decimals) and in report.json (exact).
        var direct = EmbeddingAudit.Run(EmbeddingBundle.Load(Path.Combine(dir.Path, "grid", "setups", "dirty-dirty", "bundle")));
        var dd = outcome.Json["setups"]!.AsArray().Single(s => (string)s!["label"]! == "dirty/dirty")!;
        var ddAudit = dd["audit"]!;
        Assert.Equal(direct.ZeroShot!.Top1, (double)ddAudit["zero_shot"]!["top1"]!, 15);
        Assert.Equal(direct.Silhouette.Audio!.Value, (double)ddAudit["silhouette"]!["audio"]!, 15);
        Assert.Equal(direct.Topology.AudioVsText!.S, (double)ddAudit["topology"]![EmbeddingAudit.AudioVsText]!["s"]!, 15);
        string table1 = Section(html, "table1");
        Assert.Matches($"<span class=\"val\">{direct.ZeroShot.Top1:0.00}</span> <span class=\"ci\">\\[[0-9.]+, [0-9.]+\\]</span> " +
            "<span class=\"ref\">paper 0.73</span>", table1);

        // clean/none has no bundle: one missing cell in Table 1's top-1 table, status "missing" in the JSON, no zeros.
        string top1Table = table1[..table1.IndexOf("<details>", StringComparison.Ordinal)];
        Assert.Equal(1, CountOf(top1Table, "class=\"missing\">missing"));
        Assert.DoesNotContain(">0.00<", top1Table);
        var cn = outcome.Json["setups"]!.AsArray().Single(s => (string)s!["label"]! == "clean/none")!;
        Assert.Equal("missing", (string)cn["status"]!);
        Assert.Null(cn["audit"]);
        // Table 2: x_a and E_a rows; Table 3: three comparisons, each missing for clean/none.
        Assert.Equal(2, CountOf(Section(html, "table2"), "class=\"missing\">missing"));
        Assert.Equal(3, CountOf(Section(html, "table3"), "class=\"missing\">missing"));

        foreach (var id in new[] { "table1", "table2", "table3", "correlations", "figure2", "figure3", "figure4", "settings" })
            Assert.Contains($"id=\"{id}\"", html);
        Assert.Contains("Leakage filter: removed by class word", html);
        Assert.Contains("<td>dog</td><td class=\"num\">21</td><td class=\"num\">5</td>", html);
        Assert.Contains("Backbones before cross-modal training", html);
        Assert.Contains("&quot;batch_size&quot;: 128", html); // run.json settings
        Assert.Contains("TorchSharp", html);
        Assert.Contains("not drawn (--no-tsne)", Section(html, "figure2"));
    }

    [Fact]
    public void CorrelationsOfFiveSetupsHaveScatterPlotsAndThePapersValues()
    {
        using var dir = Fixtures.TempDir();
        var outcome = Build(dir, missing: [("clean", "none")]);
        var audits = outcome.Setups.Where(s => s.Audit is not null).Select(s => s.Audit!).ToList();
        Assert.Equal(5, audits.Count);
        var expected = PearsonCorrelation.Compute(audits.Select(a => a.ZeroShot!.Top1).ToList(), audits.Select(a => a.Silhouette.Audio!.Value).ToList());

        var c = outcome.Json["correlations"]![CrossBundleCorrelations.Top1VsSilhouetteAudio]!;
        Assert.Equal(expected.Rho, (double)c["rho"]!, 12);
        Assert.Equal(expected.P, (double)c["p"]!, 12);
        Assert.Equal(5, (int)c["n"]!);
        Assert.Equal(0.97, (double)c["paper"]!["rho"]!);
        Assert.Equal(0.032, (double)outcome.Json["correlations"]![CrossBundleCorrelations.LogTop1VsTopologyAudioVsText]!["paper"]!["p"]!);
        string png = Path.Combine(Path.GetDirectoryName(outcome.JsonPath)!, (string)c["figure"]!["png"]!);
        Assert.Equal(0x89, File.ReadAllBytes(png)[0]);
        Assert.Contains("<svg", File.ReadAllText(Path.ChangeExtension(png, ".svg")));

        string html = File.ReadAllText(outcome.HtmlPath);
        Assert.Contains($"Pearson &rho; = {expected.Rho:0.00}", Section(html, "correlations"));
        Assert.Contains("(paper: rho 0.97, p &lt; 0.01)", html);
    }

    [Fact]
    public void FewerThanThreeSetupsSayTheCorrelationsNeedThree()
    {
        using var dir = Fixtures.TempDir();
        var outcome = Build(dir, missing: [("dirty", "clean"), ("dirty", "none"), ("clean", "dirty"), ("clean", "none")]);
        string corr = Section(File.ReadAllText(outcome.HtmlPath), "correlations");
        Assert.Contains("not computed: needs at least 3 setups with both values (have 2)", corr);
        Assert.DoesNotContain("Pearson", corr);
        Assert.Null(outcome.Json["correlations"]![CrossBundleCorrelations.Top1VsSilhouetteAudio]!["rho"]);
        Assert.Equal(["correlations: need at least 3 bundles, got 2"], outcome.Correlations.Skipped);
    }

    [Fact]
    public void TheReviewersTablesAndConfusionMapsCarryTheAuditsNumbers()
    {
        using var dir = Fixtures.TempDir();
        var outcome = Build(dir);
        var dd = outcome.Setups.Single(s => s.Setup.Label == "dirty/dirty").Audit!;
        var ceiling = outcome.Data.Tables.Single(t => t.Title.StartsWith("Backbone ceiling"));
        var row = ceiling.Rows.Single(r => r[0] == "dirty/dirty");
        Assert.Equal(dd.ZeroShot!.Top1.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), row[1]);
        Assert.Equal(dd.Probe.Linear.Audio!.Top1.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), row[3]);
        Assert.Equal(6, outcome.Data.ConfusionMaps.Count); // one per measured setup
        var perClass = outcome.Data.Tables.Single(t => t.Title == "Per class, dirty/dirty (sorted by zero-shot accuracy)");
        var accuracies = perClass.Rows.Select(r => double.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(accuracies.Order(), accuracies);
        string html = File.ReadAllText(outcome.HtmlPath);
        Assert.Contains("id=\"confusion\"", html);
        Assert.Contains("Correlations: which p to trust", html);

        // Tables 1-2 carry their intervals beside each value, not in a table of their own.
        string Ci(double[] ci) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[{ci[0]:0.00}, {ci[1]:0.00}]");
        string F(double v) => v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<span class=\"val\">{F(dd.ZeroShot.Top1)}</span> <span class=\"ci\">{Ci(dd.Ci!.Top1!)}</span>",
            Section(html, "table1"));
        Assert.Contains($"<span class=\"val\">{F(dd.Silhouette.Audio!.Value)}</span> <span class=\"ci\">{Ci(dd.Ci.SilhouetteAudio!)}</span>",
            Section(html, "table2"));
        Assert.Contains($"<span class=\"ci\">{Ci(dd.Ci.SilhouetteAudioBackbone!)}</span>", Section(html, "table2"));
        Assert.True(dd.Ci.Top1![0] <= dd.ZeroShot.Top1 && dd.ZeroShot.Top1 <= dd.Ci.Top1[1]);
        Assert.DoesNotContain(outcome.Data.Tables, t => t.Title.Contains("intervals", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void ReportJsonHasTheDocumentedKeys()
    {
        using var dir = Fixtures.TempDir();
        var outcome = Build(dir);
        var root = JsonNode.Parse(File.ReadAllText(outcome.JsonPath))!.AsObject();
        Assert.Equal(["version", "title", "created", "html", "figures_dir", "n_classes", "random_guess", "settings", "setups", "backbones",
            "correlations", "correlations_skipped", "leakage", "versions", "notes", "orderings"], root.Select(kv => kv.Key));
        Assert.Equal(0.125, (double)root["random_guess"]!);
        var setup = root["setups"]![0]!.AsObject();
        Assert.Equal(["training", "pretraining", "label", "bundle", "status", "reason", "audit", "run", "zeroshot_command"], setup.Select(kv => kv.Key));
        var topo = setup["audit"]!["topology"]![EmbeddingAudit.AudioBackboneVsAudio]!.AsObject();
        Assert.Equal(["s", "k", "chance", "s_adjusted", "k_adjusted", "curve", "chance_curve", "m", "k_min", "k_max"], topo.Select(kv => kv.Key));
        Assert.Equal(7, topo["curve"]!.AsArray().Count); // m - 1 for 8 classes
        Assert.Equal("report.html", (string)root["html"]!);
        var backbones = root["backbones"]!.AsArray();
        Assert.Equal(3, backbones.Count);
        var direct = Silhouette.Score(EmbeddingBundle.Load(Path.Combine(dir.Path, "grid", "backbones", "dirty", "bundle")).AudioBackbone!,
            EmbeddingBundle.Load(Path.Combine(dir.Path, "grid", "backbones", "dirty", "bundle")).Labels);
        Assert.Equal(direct, (double)backbones[0]!["silhouette"]!, 15);
        Assert.Null(backbones[2]!["silhouette"]); // x_t: one point per class, no silhouette
        Assert.Equal(37, (int)root["leakage"]!["removed"]!["pairs"]!);
    }

    [Fact]
    public void AnUnreadableBundleInAGridIsShownAsMissingWithTheReason()
    {
        using var dir = Fixtures.TempDir();
        string grid = Path.Combine(dir.Path, "grid");
        SyntheticGrid.Write(grid);
        File.Delete(Path.Combine(grid, "setups", "clean-clean", "bundle", "labels.npy"));
        var outcome = ReportBuilder.BuildFromGrid(grid, new ReportOptions { Tsne = false, HtmlPath = Path.Combine(dir.Path, "r.html") });
        var cc = outcome.Setups.Single(s => s.Setup.Label == "clean/clean");
        Assert.Equal(BundleStatus.Unreadable, cc.Status);
        Assert.Contains("labels.npy", cc.Reason);
        Assert.Null(cc.Row.Top1);
        Assert.True(File.Exists(Path.Combine(dir.Path, "r.json")));

        // Named explicitly (not a grid), the same bundle is an error naming the file.
        var strict = new ReportOptions { Tsne = false, HtmlPath = Path.Combine(dir.Path, "s.html"), StrictBundles = true };
        var e = Assert.Throws<ClapAuditException>(() => ReportBuilder.BuildFromGrid(grid, strict));
        Assert.Contains("labels.npy", e.Message);
    }

    [Fact]
    public void GridManifestRoundTripsAndNamesTheFileOnErrors()
    {
        using var dir = Fixtures.TempDir();
        var written = SyntheticGrid.Write(dir.Path);
        var back = GridManifest.Load(dir.Path);
        Assert.Equal("Synthetic grid", back.Title);
        Assert.Equal(written.Setups.Select(s => s.Label), back.Setups.Select(s => s.Label));
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.Path, "setups/dirty-clean/bundle")), back.Setups[1].Bundle);
        Assert.Equal("text_backbone", back.Backbones[2].Representation);
        Assert.Equal(Path.GetFullPath(Path.Combine(dir.Path, "data/leakage.json")), back.Leakage);
        Assert.Contains("\"bundle\": \"setups/dirty-dirty/bundle\"", File.ReadAllText(Path.Combine(dir.Path, "grid.json")));

        File.WriteAllText(Path.Combine(dir.Path, "grid.json"), """{ "version": 1, "setups": [ { "training": "dirty", "bundle": "b" } ] }""");
        var e = Assert.Throws<ClapAuditException>(() => GridManifest.Load(dir.Path));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.EndsWith("grid.json: setups[0]: key 'pretraining' is missing", e.Message);
        File.WriteAllText(Path.Combine(dir.Path, "grid.json"), """{ "version": 2, "setups": [] }""");
        Assert.Contains("version 2 is not supported", Assert.Throws<ClapAuditException>(() => GridManifest.Load(dir.Path)).Message);
    }

    [Fact]
    public void AFreshGridWithNothingRunYetGivesAReportOfMissingSetups()
    {
        // As the grid command's index writer (Experiments/GridIndex) leaves it before any step finished.
        using var dir = Fixtures.TempDir();
        File.WriteAllText(dir.File("grid.json"), """
            { "version": 1, "title": null,
              "setups": [ { "training": "dirty", "pretraining": "dirty", "bundle": "setups/dirty-dirty/bundle",
                            "run": "setups/dirty-dirty/run", "zeroshot": "setups/dirty-dirty/zeroshot.json" } ],
              "backbones": [ { "caption": "x_a, dirty pre-training", "bundle": "backbones/dirty/bundle", "representation": "audio_backbone" } ],
              "notes": [], "leakage": "data/clean/leakage.json" }
            """);
        var outcome = ReportBuilder.BuildFromGrid(dir.Path, new ReportOptions { HtmlPath = dir.File("report.html") });
        Assert.Equal(BundleStatus.Missing, outcome.Setups.Single().Status);
        Assert.Equal(BundleStatus.Missing, outcome.Backbones.Single().Status);
        Assert.Equal(0, outcome.Data.ClassCount);
        Assert.DoesNotContain(outcome.Data.Notes, n => n.Contains("Run settings"));
        Assert.Contains(outcome.Data.Notes, n => n.Contains("leakage.json not found"));
        string html = File.ReadAllText(outcome.HtmlPath);
        Assert.Contains("<title>ClapAudit report</title>", html);
        Assert.Contains("not computed: needs at least 3 setups with both values (have 0)", html);
    }

    [Fact]
    public void LeakageTablesListWordsByRemovedPairs()
    {
        var tables = LeakageTables.From(SyntheticGrid.Leakage, "leakage.json");
        Assert.Equal(3, tables.Count);
        Assert.Equal(["dog", "rain", "rooster"], tables[1].Rows.Select(r => r[0]));
        Assert.Equal(["clotho", "1,000", "37", "963", "200", "9", "191"], tables[2].Rows[0]);
        Assert.Contains(tables[0].Rows, r => r[0] == "removed" && r[1] == "37 caption pairs, 9 audio clips");
    }

    private static int CountOf(string s, string what)
    {
        int n = 0, i = 0;
        while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}

public class ReportBuilderTsneTests
{
    [Fact]
    public void WithTsneEveryMapIsWrittenAsPngAndSvgAndEmbedded()
    {
        using var dir = Fixtures.TempDir();
        string grid = Path.Combine(dir.Path, "grid");
        // 8 classes x 5 items: 40 points per map (exact t-SNE); 11 maps take a few seconds, mostly drawing.
        SyntheticGrid.Write(grid, missing: [("clean", "none"), ("dirty", "none")], perClass: 5);
        var outcome = ReportBuilder.BuildFromGrid(grid, new ReportOptions { HtmlPath = Path.Combine(dir.Path, "report.html"), Seed = 3 });

        Assert.Equal(Path.Combine(dir.Path, "report_files"), outcome.FiguresDir);
        foreach (var stem in new[] { "figure2_dirty-dirty_audio", "figure2_clean-clean_audio", "figure3_clean-clean_text",
                     "figure4_1_audio_backbone", "figure4_2_audio_backbone", "figure4_3_text_backbone" })
        {
            Assert.True(File.Exists(Path.Combine(outcome.FiguresDir, stem + ".png")), stem);
            Assert.True(File.Exists(Path.Combine(outcome.FiguresDir, stem + ".svg")), stem);
        }
        var audioMap = outcome.Json["setups"]![0]!["audit"]!["tsne"]!["audio"]!;
        Assert.Equal("report_files/figure2_dirty-dirty_audio.png", (string)audioMap["png"]!);
        Assert.Equal(40, (int)audioMap["points"]!);
        Assert.Equal(30.0, (double)audioMap["perplexity"]!); // scikit-learn's default: 40 points allow it
        // The KL value itself is checked against scikit-learn in TsneTests; here only that the report carries it.
        Assert.True(audioMap["kl_divergence"] is not null, "the map's KL divergence is reported");
        Assert.Equal(7.0 / 3, (double)outcome.Json["setups"]![0]!["audit"]!["tsne"]!["text"]!["perplexity"]!, 12); // 8 class prompts

        string html = File.ReadAllText(outcome.HtmlPath);
        string fig2 = html[html.IndexOf("id=\"figure2\"", StringComparison.Ordinal)..html.IndexOf("id=\"figure3\"", StringComparison.Ordinal)];
        Assert.Equal(2 * 4, CountOf(fig2, "data:image/png;base64,")); // 4 measured panels, each with its full-size view
        Assert.Equal(2, CountOf(fig2, "class=\"missing\">missing"));
        string fig3 = html[html.IndexOf("id=\"figure3\"", StringComparison.Ordinal)..html.IndexOf("id=\"figure4\"", StringComparison.Ordinal)];
        Assert.Contains("data:image/png;base64,", fig3);
    }

    private static int CountOf(string s, string what)
    {
        int n = 0, i = 0;
        while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}
