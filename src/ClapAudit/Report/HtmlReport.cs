using System.Globalization;
using System.Net;
using System.Text;

namespace ClapAudit.Report;

/// <summary>
/// Renders <see cref="ReportData"/> as one self-contained HTML file: plots embedded as base64 PNG,
/// inline CSS, no scripts and no network. Tables follow the paper's layout (training rows x
/// pre-training columns) with the paper's values beside the user's, labelled as such.
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(ReportData data)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        h.Append("<title>").Append(E(data.Title)).Append("</title><style>").Append(Css).Append("</style></head><body><main>");
        h.Append("<h1>").Append(E(data.Title)).Append("</h1>");
        if (data.Subtitle is not null) h.Append("<p class=\"sub\">").Append(E(data.Subtitle)).Append("</p>");
        h.Append("<p class=\"sub\">Created ").Append(data.Created.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv))
         .Append(data.ClassCount > 0 ? $" &middot; {data.ClassCount} test classes &middot; random guess {1.0 / data.ClassCount:0.000}" : "")
         .Append("</p>");
        foreach (var note in data.Notes) h.Append("<p class=\"note\">").Append(E(note)).Append("</p>");

        var byKey = data.Setups.ToDictionary(s => (s.Training, s.PreTraining));
        string[] trainings = Order(data.Setups.Select(s => s.Training), PaperReference.TrainingData);
        string[] pretrainings = Order(data.Setups.Select(s => s.PreTraining), PaperReference.PreTrainingData);
        bool paper = data.ShowPaperReference;

        // Table 1
        h.Append("<section id=\"table1\"><h2>Table 1: zero-shot accuracy</h2>");
        h.Append("<p>Top-1 accuracy on the test classes; rows: training data, columns: audio pre-training data.")
         .Append(paper ? " Grey: the paper's values (ESC-50), for reference." : "").Append("</p>");
        GridTable(h, trainings, pretrainings, null, key => Cell(byKey, key, s => s.Top1, paper ? PaperReference.Accuracy : null, s => s.Top1Interval));
        IntervalNote(h, data.Setups);
        h.Append("<p>Random guess: ").Append(data.ClassCount > 0 ? F(1.0 / data.ClassCount) : "&ndash;")
         .Append(paper ? $" <span class=\"ref\">(paper {F(PaperReference.RandomGuess)})</span>" : "").Append("</p>");
        h.Append("<details><summary>Top-5 accuracy</summary>");
        GridTable(h, trainings, pretrainings, null, key => Cell(byKey, key, s => s.Top5, null));
        h.Append("</details></section>");

        // Table 2
        h.Append("<section id=\"table2\"><h2>Table 2: silhouette scores</h2><p>Silhouette (").Append(E(data.Metric)).Append(") of the audio backbone output x<sub>a</sub> and the cross-modal audio embedding E<sub>a</sub>, with the test labels as clusters; bounded in [-1, 1], higher is better separated.</p>");
        GridTable(h, trainings, pretrainings, ["x_a", "E_a"], (key, rep) => rep == "x_a"
            ? Cell(byKey, key, s => s.SilhouetteAudioBackbone, paper ? PaperReference.SilhouetteAudioBackbone : null,
                s => s.SilhouetteAudioBackboneInterval)
            : Cell(byKey, key, s => s.SilhouetteAudio, paper ? PaperReference.SilhouetteAudio : null, s => s.SilhouetteAudioInterval));
        IntervalNote(h, data.Setups);
        h.Append("</section>");

        // Table 3
        h.Append("<section id=\"table3\"><h2>Table 3: topological similarity</h2><p>S = max<sub>k</sub> S<sub>k</sub> over class-mean point clouds (k shown; chance = expected S<sub>k</sub> of unrelated clouds at that k).</p>");
        GridTable(h, trainings, pretrainings, ["x_a vs E_a", "x_t vs E_t", "E_a vs E_t"], (key, rep) => rep switch
        {
            "x_a vs E_a" => Topo(byKey, key, s => s.AudioBackboneVsAudio, paper ? PaperReference.TopologyAudioBackboneVsAudio : null),
            "x_t vs E_t" => Topo(byKey, key, s => s.TextBackboneVsText, paper ? PaperReference.TopologyTextBackboneVsText : null),
            _ => Topo(byKey, key, s => s.AudioVsText, paper ? PaperReference.TopologyAudioVsText : null),
        });
        h.Append("</section>");

        // The paper's orderings, checked on these numbers: a run that does not show one says so here.
        if (data.Orderings.Count > 0)
        {
            h.Append("<section id=\"orderings\"><h2>The paper's orderings in this run</h2>")
             .Append("<p>Tables 1 and 2 of the paper: with the training data fixed, dirty audio pre-training gives more than clean, ")
             .Append("and clean more than none; with the pre-training fixed, dirty training data give more than clean. ")
             .Append("Each line says whether this run's numbers are in that order.</p><table><tr><th>measure</th><th>ordering</th><th>measured</th><th>as in the paper?</th></tr>");
            foreach (var o in data.Orderings)
                h.Append("<tr><td>").Append(E(o.Measure)).Append("</td><td>").Append(E(o.Claim)).Append("</td><td>").Append(E(o.Values))
                 .Append("</td><td>").Append(o.Holds ? "yes" : "<strong>no</strong>").Append("</td></tr>");
            h.Append("</table></section>");
        }

        // Correlations
        h.Append("<section id=\"correlations\"><h2>Correlations across setups</h2><div class=\"figs\">");
        foreach (var c in data.Correlations)
        {
            h.Append("<figure class=\"corr\">");
            if (c.ScatterImage is not null && File.Exists(c.ScatterImage)) Img(h, c.ScatterImage, c.Title);
            h.Append("<figcaption><b>").Append(E(c.Title)).Append("</b><br>");
            if (c.Rho is double rho)
                h.Append($"Pearson &rho; = {F(rho)}, p = {P(c.P)}, n = {c.N}");
            else
                h.Append(E(c.Note ?? "not computed"));
            if (paper && c.PaperValue is not null) h.Append(" <span class=\"ref\">(paper: ").Append(E(c.PaperValue)).Append(")</span>");
            h.Append("</figcaption></figure>");
        }
        if (data.Correlations.Count == 0) h.Append("<p>No correlations: they need at least three setups.</p>");
        h.Append("</div></section>");

        // Figure 2
        h.Append("<section id=\"figure2\"><h2>Figure 2: t-SNE of the audio embeddings E<sub>a</sub></h2><p class=\"hint\">One colour and marker per class, names at the class medians. Click a panel to see it full size (class names readable); the PNG and SVG files are beside this report.</p><div class=\"grid3\">");
        char panel = 'a';
        foreach (var t in trainings)
            foreach (var p in pretrainings)
            {
                string caption = $"({panel++}) {Cap(t)} training, {(p == "none" ? "no" : p)} pre-training.";
                h.Append("<figure>");
                bool measured = byKey.TryGetValue((t, p), out var s) && s.Top1 is not null;
                if (s?.AudioMapImage is not null && File.Exists(s.AudioMapImage)) Zoomable(h, s.AudioMapImage, caption, $"fig2{(char)(panel - 1)}");
                else Missing(h, measured && data.MapsNote is not null ? data.MapsNote : "missing");
                h.Append("<figcaption>").Append(E(caption)).Append("</figcaption></figure>");
            }
        h.Append("</div></section>");

        // Figure 3
        h.Append("<section id=\"figure3\"><h2>Figure 3: t-SNE of the text embeddings E<sub>t</sub> (clean/clean)</h2>");
        if (byKey.TryGetValue(("clean", "clean"), out var cc) && cc.TextMapImage is not null && File.Exists(cc.TextMapImage))
        {
            h.Append("<figure class=\"wide\">");
            Img(h, cc.TextMapImage, "E_t clean/clean");
            h.Append("<figcaption>Class prompts in the cross-modal space, clean training and clean pre-training.</figcaption></figure>");
        }
        else Missing(h, byKey.TryGetValue(("clean", "clean"), out var cc2) && cc2.Top1 is not null && data.MapsNote is not null
            ? data.MapsNote : "missing (needs the clean/clean setup)");
        h.Append("</section>");

        // Figure 4
        h.Append("<section id=\"figure4\"><h2>Figure 4: backbones before cross-modal training</h2><p class=\"hint\">Click a panel to see it full size.</p><div class=\"grid3\">");
        int fig4 = 1;
        foreach (var f in data.BackboneMaps)
        {
            h.Append("<figure>");
            if (File.Exists(f.ImagePath)) Zoomable(h, f.ImagePath, f.Caption, $"fig4{fig4++}"); else Missing(h, data.MapsNote ?? "missing");
            h.Append("<figcaption>").Append(E(f.Caption)).Append("</figcaption></figure>");
        }
        if (data.BackboneMaps.Count == 0) h.Append("<div class=\"missing\">missing (no backbone-only bundles)</div>");
        h.Append("</div></section>");

        if (data.ConfusionMaps.Count > 0)
        {
            h.Append("<section id=\"confusion\"><h2>Zero-shot confusion matrices</h2><p class=\"hint\">Row: true class, column: predicted class; ")
             .Append("each row is the share of the class's items. Click a panel to see it full size.</p><div class=\"grid3\">");
            int cm = 1;
            foreach (var f in data.ConfusionMaps)
            {
                h.Append("<figure>");
                if (File.Exists(f.ImagePath)) Zoomable(h, f.ImagePath, f.Caption, $"cm{cm++}"); else Missing(h, "missing");
                h.Append("<figcaption>").Append(E(f.Caption)).Append("</figcaption></figure>");
            }
            h.Append("</div></section>");
        }

        foreach (var table in data.Tables)
        {
            h.Append("<section><h2>").Append(E(table.Title)).Append("</h2>");
            if (table.Note is not null) h.Append("<p>").Append(E(table.Note)).Append("</p>");
            h.Append("<table><thead><tr>");
            foreach (var col in table.Header) h.Append("<th>").Append(E(col)).Append("</th>");
            h.Append("</tr></thead><tbody>");
            foreach (var row in table.Rows)
            {
                h.Append("<tr>");
                foreach (var v in row) h.Append(IsNumber(v) ? "<td class=\"num\">" : "<td>").Append(E(v)).Append("</td>");
                h.Append("</tr>");
            }
            h.Append("</tbody></table></section>");
        }

        h.Append("<section id=\"settings\"><h2>Settings of every run</h2>");
        foreach (var s in data.Setups.Where(s => s.SettingsJson is not null))
            h.Append("<details><summary>").Append(E(s.Label)).Append("</summary><pre>").Append(E(s.SettingsJson!)).Append("</pre></details>");
        if (data.Versions.Count > 0)
        {
            h.Append("<h3>Software</h3><table><tbody>");
            foreach (var (k, v) in data.Versions) h.Append("<tr><td>").Append(E(k)).Append("</td><td>").Append(E(v)).Append("</td></tr>");
            h.Append("</tbody></table>");
        }
        h.Append("</section></main></body></html>");
        return h.ToString();
    }

    public static void Write(ReportData data, string path) => Common.AtomicFile.WriteAllText(path, Render(data));

    private static string[] Order(IEnumerable<string> present, string[] canonical)
    {
        var set = present.ToHashSet();
        return canonical.Concat(set.Except(canonical).Order()).ToArray();
    }

    private static void GridTable(StringBuilder h, string[] rows, string[] cols, string[]? reps, Func<(string, string), string> cell) =>
        GridTable(h, rows, cols, reps, (key, _) => cell(key));

    private static void GridTable(StringBuilder h, string[] rows, string[] cols, string[]? reps, Func<(string, string), string, string> cell)
    {
        h.Append("<table class=\"grid\"><thead><tr><th>Training</th>");
        if (reps is not null) h.Append("<th>Representation</th>");
        foreach (var c in cols) h.Append("<th>Pre-training: ").Append(E(c)).Append("</th>");
        h.Append("</tr></thead><tbody>");
        foreach (var rep in reps ?? [""])
            foreach (var r in rows)
            {
                h.Append("<tr><td>").Append(E(Cap(r))).Append("</td>");
                if (reps is not null) h.Append("<td>").Append(E(rep)).Append("</td>");
                foreach (var c in cols) h.Append("<td>").Append(cell((r, c), rep)).Append("</td>");
                h.Append("</tr>");
            }
        h.Append("</tbody></table>");
    }

    private static string Cell(Dictionary<(string, string), ReportSetup> byKey, (string, string) key, Func<ReportSetup, double?> value,
        IReadOnlyDictionary<(string, string), double>? reference, Func<ReportSetup, double[]?>? interval = null)
    {
        string mine = byKey.TryGetValue(key, out var s) && value(s) is double v
            ? $"<span class=\"val\">{F(v)}</span>{Interval(interval?.Invoke(s))}"
            : "<span class=\"missing\">missing</span>";
        return reference is not null && reference.TryGetValue(key, out var r) ? $"{mine} <span class=\"ref\">paper {F(r)}</span>" : mine;
    }

    private static string Topo(Dictionary<(string, string), ReportSetup> byKey, (string, string) key, Func<ReportSetup, TopologyCell?> value,
        IReadOnlyDictionary<(string, string), double>? reference)
    {
        string mine = byKey.TryGetValue(key, out var s) && value(s) is TopologyCell t
            ? $"<span class=\"val\">{F(t.S)}</span> <span class=\"k\">k={t.K}, chance {F(t.Chance)}</span>"
            : "<span class=\"missing\">missing</span>";
        return reference is not null && reference.TryGetValue(key, out var r) ? $"{mine} <span class=\"ref\">paper {F(r)}</span>" : mine;
    }

    /// <summary>A cell's 95% interval, small and beside its value: " [lo, hi]".</summary>
    private static string Interval(double[]? ci) =>
        ci is [double lo, double hi] ? $" <span class=\"ci\">[{F(lo)}, {F(hi)}]</span>" : "";

    private static void IntervalNote(StringBuilder h, IReadOnlyList<ReportSetup> setups)
    {
        if (!setups.Any(s => s.Top1Interval is not null || s.SilhouetteAudioInterval is not null)) return;
        h.Append("<p class=\"hint\">In brackets: the 95% interval of a stratified bootstrap (items resampled within each class; ")
         .Append("2.5% and 97.5% percentiles). A silhouette's interval resamples the items' coefficients of the full bundle.</p>");
    }

    private static void Missing(StringBuilder h, string text) => h.Append("<div class=\"missing\">").Append(E(text)).Append("</div>");

    /// <summary>
    /// A small panel that opens full size when clicked (CSS :target, no script): at a third of the page width
    /// the class names of a 50-class map are too small to read.
    /// </summary>
    private static void Zoomable(StringBuilder h, string path, string alt, string id)
    {
        h.Append("<a class=\"zoomin\" href=\"#").Append(id).Append("\" title=\"click to enlarge\">");
        Img(h, path, alt);
        h.Append("</a><a class=\"zoom\" id=\"").Append(id).Append("\" href=\"#_\" title=\"click to close\">");
        Img(h, path, alt);
        h.Append("</a>");
    }

    private static void Img(StringBuilder h, string path, string alt) =>
        h.Append("<img alt=\"").Append(E(alt)).Append("\" src=\"data:image/png;base64,")
         .Append(Convert.ToBase64String(File.ReadAllBytes(path))).Append("\">");

    /// <summary>Numbers (with thousands separators) are right-aligned so their digits line up.</summary>
    private static bool IsNumber(string s) => s == "-" || s.Length > 0 && s.All(c => char.IsDigit(c) || c is ',' or '.' or '-' or 'e' or '+') && s.Any(char.IsDigit);

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
    private static string F(double v) => v.ToString("0.00", Inv);
    private static string P(double? p) => p is null ? "&ndash;" : p.Value < 1e-3 ? p.Value.ToString("0.0e0", Inv) : p.Value.ToString("0.000", Inv);
    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f7f7f5;color:#222}
        main{max-width:1280px;margin:0 auto;padding:24px 32px 64px}
        h1{margin-bottom:4px} h2{margin-top:40px;border-bottom:1px solid #ddd;padding-bottom:4px}
        .sub{color:#666;margin:2px 0} .note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px}
        table{border-collapse:collapse;background:#fff;margin:8px 0} th,td{border:1px solid #ddd;padding:6px 10px;text-align:left;vertical-align:top}
        th{background:#f0f0ee;white-space:nowrap} td.num{text-align:right;font-variant-numeric:tabular-nums} .val{font-weight:600;font-variant-numeric:tabular-nums}
        .ref{color:#888;font-size:.85em;white-space:nowrap} .ci{color:#555;font-size:.8em;white-space:nowrap} .k{color:#666;font-size:.8em;white-space:nowrap}
        .missing{color:#b00020;font-style:italic}
        div.missing{border:1px dashed #c99;padding:40px;text-align:center;background:#fff}
        .grid3{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:16px}
        .figs{display:flex;flex-wrap:wrap;gap:16px} figure{margin:0;background:#fff;padding:8px;border:1px solid #e4e4e4}
        figure.corr{flex:1 1 420px;max-width:620px} figure.wide{max-width:1216px}
        img{width:100%;height:auto;display:block} figcaption{font-size:.9em;color:#444;margin-top:6px}
        pre{background:#fff;border:1px solid #ddd;padding:8px;overflow:auto;max-height:360px;font-size:.8em}
        details{margin:6px 0}
        a.zoomin{cursor:zoom-in;display:block} a.zoom{display:none}
        a.zoom:target{display:flex;position:fixed;inset:0;z-index:10;background:rgba(0,0,0,.82);align-items:center;justify-content:center;cursor:zoom-out}
        a.zoom:target img{width:auto;height:auto;max-width:96vw;max-height:96vh;background:#fff}
        .hint{color:#666;font-size:.9em}
        @media (max-width:900px){.grid3{grid-template-columns:1fr}}
        """;
}
