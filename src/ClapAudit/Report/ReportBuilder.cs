using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Analysis;
using ClapAudit.Common;
using ClapAudit.Evaluation;

namespace ClapAudit.Report;

/// <summary>Settings of a report: the audit's, the t-SNE seed, and where the files go.</summary>
public sealed record ReportOptions
{
    public AuditOptions Audit { get; init; } = new();
    /// <summary>Seed of every t-SNE map.</summary>
    public int Seed { get; init; }
    /// <summary>Draw the t-SNE maps (Figures 2-4); false skips them (the slow part on large bundles).</summary>
    public bool Tsne { get; init; } = true;
    /// <summary>The HTML file; the figures go into "&lt;name&gt;_files/" beside it.</summary>
    public string HtmlPath { get; init; } = "report.html";
    /// <summary>report.json; null: beside the HTML with the extension .json.</summary>
    public string? JsonPath { get; init; }
    /// <summary>True: a bundle that exists but does not load is an error; false (grid mode): it is shown as missing with the reason.</summary>
    public bool StrictBundles { get; init; }

    public string ResolvedJsonPath => JsonPath ?? Path.ChangeExtension(HtmlPath, ".json");
    public string FiguresDir => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(HtmlPath))!, Path.GetFileNameWithoutExtension(HtmlPath) + "_files");
}

/// <summary>How one setup came out: "ok", "missing" (no bundle yet) or "unreadable" (Reason says why).</summary>
public sealed record SetupOutcome(GridManifestSetup Setup, string Status, string? Reason, BundleAudit? Audit, ReportSetup Row);

/// <summary>How one backbone-only bundle came out; Silhouette of x_a when measured.</summary>
public sealed record BackboneOutcome(GridManifestBackbone Backbone, string Status, string? Reason, double? Silhouette, ReportFigure Figure);

/// <summary>What <see cref="ReportBuilder"/> produced: the report's data, the files written and the per-setup outcomes.</summary>
public sealed record ReportOutcome(
    ReportData Data,
    string HtmlPath,
    string JsonPath,
    string FiguresDir,
    IReadOnlyList<SetupOutcome> Setups,
    IReadOnlyList<BackboneOutcome> Backbones,
    CorrelationReport Correlations,
    JsonObject Json);

/// <summary>
/// Builds the paper's report (issue 7) from a grid folder or from a list of bundles: audits every setup
/// (<see cref="EmbeddingAudit"/>), correlates across setups, draws the t-SNE maps and scatter plots (PNG and SVG),
/// and writes the HTML (<see cref="HtmlReport"/>) and report.json (docs/formats.md).
/// Missing setups stay missing (never zeros). Time: one audit per bundle plus one t-SNE per map.
/// </summary>
public static class ReportBuilder
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads GRID_DIR/grid.json and builds the report it describes.</summary>
    public static ReportOutcome BuildFromGrid(string gridDir, ReportOptions options, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        Build(GridManifest.Load(gridDir), options, progress, cancellationToken);

    /// <summary>Builds the report of the setups and backbone bundles listed in <paramref name="grid"/> (absolute paths).</summary>
    public static ReportOutcome Build(GridManifest grid, ReportOptions options, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var audit = options.Audit.Validated();
        string html = Path.GetFullPath(options.HtmlPath), json = Path.GetFullPath(options.ResolvedJsonPath);
        string figures = options.FiguresDir, jsonBase = Path.GetDirectoryName(json)!;
        Directory.CreateDirectory(Path.GetDirectoryName(html)!);
        Directory.CreateDirectory(jsonBase);
        if (options.Tsne) Directory.CreateDirectory(figures);
        string Rel(string p) => Path.GetRelativePath(jsonBase, p).Replace('\\', '/');
        var notes = new List<string>(grid.Notes);
        string mapsOff = "not drawn (--no-tsne)";

        // ---------------------------------------------------------------- setups
        var setups = new List<SetupOutcome>();
        var setupJson = new JsonArray();
        int? classCount = grid.Classes;
        foreach (var s in grid.Setups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = new ReportSetup(s.Training, s.PreTraining) { BundlePath = s.Bundle };
            var j = new JsonObject { ["training"] = s.Training, ["pretraining"] = s.PreTraining, ["label"] = s.Label, ["bundle"] = Rel(s.Bundle) };
            var bundle = TryLoad(s.Bundle, options.StrictBundles, out string status, out string? reason);
            // An unfinished setup may have no run.json yet; say so only for a measured one.
            var (settingsText, settingsNode) = ReadRunSettings(s.Run, bundle is null ? null : notes);
            row = row with { SettingsJson = settingsText };
            progress?.Report($"{s.Label}: {(bundle is null ? status : "audit")}");
            BundleAudit? a = null;
            var figs = new JsonObject();
            if (bundle is not null)
            {
                a = EmbeddingAudit.Run(bundle, audit, cancellationToken: cancellationToken);
                classCount ??= bundle.ClassCount;
                if (bundle.ClassCount != classCount)
                    notes.Add($"{s.Label}: {bundle.ClassCount} classes, while other bundles have {classCount}; the random guess line uses {classCount}.");
                row = row with
                {
                    Top1 = a.ZeroShot?.Top1, Top5 = a.ZeroShot?.Top5,
                    SilhouetteAudio = Get(a.Silhouette, "audio"), SilhouetteAudioBackbone = Get(a.Silhouette, "audio_backbone"),
                    AudioBackboneVsAudio = Cell(a, EmbeddingAudit.AudioBackboneVsAudio),
                    TextBackboneVsText = Cell(a, EmbeddingAudit.TextBackboneVsText),
                    AudioVsText = Cell(a, EmbeddingAudit.AudioVsText),
                };
                if (options.Tsne)
                {
                    string stem = $"{Safe(s.Training)}-{Safe(s.PreTraining)}";
                    var ea = Map(bundle.Audio, bundle.Labels, bundle.ClassNames, Path.Combine(figures, $"figure2_{stem}_audio"),
                        $"E_a, {s.Label}", audit.Metric, options.Seed, progress, s.Label, cancellationToken);
                    var et = bundle.Text is null ? null : Map(bundle.Text, Enumerable.Range(0, bundle.ClassCount).ToArray(), bundle.ClassNames,
                        Path.Combine(figures, $"figure3_{stem}_text"), $"E_t, {s.Label}", audit.Metric, options.Seed, progress, s.Label, cancellationToken);
                    if (ea is not null) { row = row with { AudioMapImage = ea.Value.Stem + ".png" }; figs["audio"] = MapJson(ea.Value, Rel); }
                    if (et is not null) { row = row with { TextMapImage = et.Value.Stem + ".png" }; figs["text"] = MapJson(et.Value, Rel); }
                }
            }
            setups.Add(new SetupOutcome(s, status, reason, a, row));

            j["status"] = status;
            if (reason is not null) j["reason"] = reason;
            if (a is not null) AuditJson(j, a);
            j["figures"] = figs;
            if (settingsNode is not null) j["run"] = settingsNode;
            if (s.ZeroShot is not null) j["zeroshot_command"] = ReadZeroShot(s, a, notes);
            setupJson.Add(j);
        }

        // ---------------------------------------------------------------- backbones (Figure 4)
        var backbones = new List<BackboneOutcome>();
        var backboneJson = new JsonArray();
        foreach (var (b, i) in grid.Backbones.Select((b, i) => (b, i)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bundle = TryLoad(b.Bundle, options.StrictBundles, out string status, out string? reason);
            progress?.Report($"backbone '{b.Caption}': {(bundle is null ? status : "audit")}");
            double? silhouette = null;
            string image = "";
            var j = new JsonObject { ["caption"] = b.Caption, ["representation"] = b.Representation, ["bundle"] = Rel(b.Bundle) };
            if (bundle is not null)
            {
                bool text = b.Representation == "text_backbone";
                var x = text ? bundle.TextBackbone : bundle.AudioBackbone;
                if (x is null)
                {
                    status = "unreadable";
                    reason = $"{Path.Combine(b.Bundle, text ? EmbeddingBundle.TextBackboneFile : EmbeddingBundle.AudioBackboneFile)}: file not found";
                    if (options.StrictBundles) throw new ClapAuditException(ErrorKind.NotFound, reason);
                }
                else
                {
                    if (!text && bundle.AudioBackbone is not null)
                        silhouette = Silhouette.Score(bundle.AudioBackbone, bundle.Labels, audit.Metric, audit.BlockSize, cancellationToken);
                    if (options.Tsne)
                    {
                        var labels = text ? Enumerable.Range(0, bundle.ClassCount).ToArray() : bundle.Labels;
                        var m = Map(x, labels, bundle.ClassNames, Path.Combine(figures, $"figure4_{i + 1}_{b.Representation}"), b.Caption,
                            audit.Metric, options.Seed, progress, b.Caption, cancellationToken);
                        if (m is not null) { image = m.Value.Stem + ".png"; j["figure"] = MapJson(m.Value, Rel); }
                    }
                }
            }
            j["status"] = status;
            if (reason is not null) j["reason"] = reason;
            j["silhouette"] = silhouette;
            backbones.Add(new BackboneOutcome(b, status, reason, silhouette, new ReportFigure(b.Caption, image)));
            backboneJson.Add(j);
        }

        // ---------------------------------------------------------------- correlations
        progress?.Report("correlations");
        var ok = setups.Where(s => s.Audit is not null).ToList();
        var audits = ok.Select(s => s.Audit!).ToList();
        var correlations = CrossBundleCorrelations.Compute(audits);
        var reportCorrelations = new List<ReportCorrelation>();
        var correlationJson = new JsonObject();
        foreach (var pair in CrossBundleCorrelations.Pairs)
        {
            var points = CrossBundleCorrelations.Points(pair, audits);
            var (title, paper, paperJson) = PaperCorrelation(pair.Name);
            var rc = new ReportCorrelation(title, pair.XLabel, pair.YLabel, points.Count) { PaperValue = paper };
            var j = new JsonObject { ["x"] = pair.XLabel, ["y"] = pair.YLabel, ["n"] = points.Count,
                ["setups"] = new JsonArray(points.Select(p => (JsonNode?)JsonValue.Create(ok[p.Index].Setup.Label)).ToArray()),
                ["x_values"] = Numbers(points.Select(p => p.X)), ["y_values"] = Numbers(points.Select(p => p.Y)) };
            if (paperJson is not null) j["paper"] = paperJson;
            if (correlations.Correlations.TryGetValue(pair.Name, out var r))
            {
                string stem = Path.Combine(figures, $"correlation_{pair.Name}");
                Directory.CreateDirectory(figures);
                CorrelationPlot.Save(stem, points.Select(p => p.X).ToList(), points.Select(p => p.Y).ToList(),
                    points.Select(p => ok[p.Index].Setup.Label).ToList(), title, pair.XLabel, pair.YLabel);
                rc = rc with { Rho = Finite(r.Rho), P = Finite(r.P), ScatterImage = stem + ".png" };
                j["rho"] = Finite(r.Rho);
                j["p"] = Finite(r.P);
                j["figure"] = new JsonObject { ["png"] = Rel(stem + ".png"), ["svg"] = Rel(stem + ".svg") };
            }
            else
            {
                rc = rc with { Note = $"not computed: needs at least {CrossBundleCorrelations.MinimumBundles} setups with both values (have {points.Count})" };
                j["rho"] = null;
                j["p"] = null;
                j["note"] = rc.Note;
            }
            reportCorrelations.Add(rc);
            correlationJson[pair.Name] = j;
        }

        // ---------------------------------------------------------------- tables, versions, output
        var tables = new List<ReportTable> { SetupTable(setups) };
        if (backbones.Count > 0)
            tables.Add(new ReportTable("Backbones before cross-modal training (Figure 4 bundles)",
                ["bundle", "representation", $"silhouette of x_a ({audit.Metric.Name()})", "status"],
                backbones.Select(b => (IReadOnlyList<string>)[b.Backbone.Caption, b.Backbone.Representation,
                    b.Silhouette is double v ? v.ToString("0.000", Inv) : "-", b.Reason is null ? b.Status : $"{b.Status}: {b.Reason}"]).ToList()));
        JsonNode? leakageNode = null;
        if (grid.Leakage is not null)
        {
            progress?.Report("leakage report");
            if (File.Exists(grid.Leakage))
            {
                leakageNode = ReadJson(grid.Leakage);
                tables.AddRange(LeakageTables.From(leakageNode, grid.Leakage));
            }
            else notes.Add($"Leakage report {grid.Leakage} not found.");
        }

        var versions = SoftwareVersions.Collect();
        var data = new ReportData
        {
            Title = grid.Title,
            Subtitle = $"{setups.Count(s => s.Status == "ok")} of {setups.Count} setups measured; {audit.Metric.Name()} distance; t-SNE seed {options.Seed}",
            ClassCount = classCount ?? 0,
            Setups = setups.Select(s => s.Row).ToList(),
            Correlations = reportCorrelations,
            BackboneMaps = backbones.Select(b => b.Figure).ToList(),
            Tables = tables,
            Notes = notes,
            Orderings = PaperOrderings.Check([.. setups.Select(s => s.Row)]),
            Versions = versions,
            Metric = audit.Metric.Name(),
            MapsNote = options.Tsne ? null : mapsOff,
            ShowPaperReference = grid.Setups.All(s => PaperReference.TrainingData.Contains(s.Training) && PaperReference.PreTrainingData.Contains(s.PreTraining)),
        };

        progress?.Report("writing the report");
        HtmlReport.Write(data, html);
        var root = new JsonObject
        {
            ["version"] = 1,
            ["title"] = grid.Title,
            ["created"] = data.Created.ToString("o", Inv),
            ["html"] = Rel(html),
            ["figures_dir"] = options.Tsne || reportCorrelations.Any(c => c.ScatterImage is not null) ? Rel(figures) : null,
            ["n_classes"] = classCount,
            ["random_guess"] = classCount is int c && c > 0 ? 1.0 / c : null,
            ["settings"] = new JsonObject
            {
                ["metric"] = audit.Metric.Name(), ["k_min"] = audit.KMin, ["k_max"] = audit.KMax,
                ["seed"] = options.Seed, ["tsne"] = options.Tsne,
                ["tsne_perplexity"] = "30, or (n - 1) / 3 when n <= 30 points",
            },
            ["setups"] = setupJson,
            ["backbones"] = backboneJson,
            ["correlations"] = correlationJson,
            ["correlations_skipped"] = new JsonArray(correlations.Skipped.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["leakage"] = leakageNode,
            ["versions"] = new JsonObject(versions.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
            ["notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            ["orderings"] = new JsonArray(data.Orderings.Select(o => (JsonNode?)new JsonObject
            {
                ["measure"] = o.Measure, ["claim"] = o.Claim, ["holds"] = o.Holds, ["values"] = o.Values,
            }).ToArray()),
        };
        AtomicFile.WriteAllText(json, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return new ReportOutcome(data, html, json, figures, setups, backbones, correlations, root);
    }

    // ------------------------------------------------------------------ pieces

    private static EmbeddingBundle? TryLoad(string path, bool strict, out string status, out string? reason)
    {
        if (!Directory.Exists(path))
        {
            status = "missing";
            reason = "bundle folder not found (setup not finished?)";
            if (strict) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {reason}");
            return null;
        }
        try
        {
            var b = EmbeddingBundle.Load(path);
            status = "ok";
            reason = null;
            return b;
        }
        catch (ClapAuditException e) when (!strict)
        {
            status = "unreadable";
            reason = e.Message;
            return null;
        }
    }

    private readonly record struct MapFile(string Stem, double Kl, int Iterations, double Perplexity, int Points);

    private static MapFile? Map(EmbeddingMatrix? x, int[] labels, IReadOnlyList<string> classNames, string stem, string title,
        DistanceMetric metric, int seed, IProgress<string>? progress, string what, CancellationToken token)
    {
        if (x is null || x.Rows < TsneMaps.MinimumPoints) return null;
        progress?.Report($"{what}: t-SNE of {title} ({x.Rows} points)");
        var result = TsneMaps.Fit(x, metric, seed, cancellationToken: token);
        EmbeddingMapPlot.Save(stem, result.Embedding, labels, classNames, $"{title}: t-SNE ({metric.Name()})");
        return new MapFile(stem, result.KlDivergence, result.Iterations, TsneMaps.PerplexityFor(x.Rows), x.Rows);
    }

    private static JsonObject MapJson(MapFile m, Func<string, string> rel) => new()
    {
        ["png"] = rel(m.Stem + ".png"), ["svg"] = rel(m.Stem + ".svg"),
        ["points"] = m.Points, ["perplexity"] = m.Perplexity, ["kl_divergence"] = Finite(m.Kl), ["iterations"] = m.Iterations,
    };

    private static void AuditJson(JsonObject j, BundleAudit a)
    {
        j["n_items"] = a.ItemCount;
        j["n_classes"] = a.ClassCount;
        j["top1"] = a.ZeroShot is null ? null : Finite(a.ZeroShot.Top1);
        j["top5"] = a.ZeroShot is null ? null : Finite(a.ZeroShot.Top5);
        var sil = new JsonObject();
        foreach (var key in new[] { "audio", "audio_backbone" }) sil[key] = Get(a.Silhouette, key) is double v ? Finite(v) : null;
        j["silhouette"] = sil;
        var topo = new JsonObject();
        foreach (var key in new[] { EmbeddingAudit.AudioBackboneVsAudio, EmbeddingAudit.TextBackboneVsText, EmbeddingAudit.AudioVsText })
        {
            if (!a.Topology.TryGetValue(key, out var t)) { topo[key] = null; continue; }
            topo[key] = new JsonObject
            {
                ["s"] = Finite(t.S), ["k"] = t.K, ["chance"] = Finite(t.Chance[t.K - 1]),
                ["adjusted"] = Finite(t.SAdjusted), ["k_adjusted"] = t.KAdjusted,
                ["curve"] = Numbers(t.Curve), ["chance_curve"] = Numbers(t.Chance), ["m"] = t.Points, ["k_min"] = t.KMin, ["k_max"] = t.KMax,
            };
        }
        j["topology"] = topo;
        j["empty_classes"] = new JsonArray(a.EmptyClasses.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        j["skipped"] = new JsonArray(a.Skipped.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
    }

    private static (string? Text, JsonNode? Node) ReadRunSettings(string? run, List<string>? notes)
    {
        if (run is null) return (null, null);
        string file = Directory.Exists(run) ? Path.Combine(run, "run.json") : run;
        if (!File.Exists(file)) { notes?.Add($"Run settings {file} not found."); return (null, null); }
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(file));
            return (node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), node);
        }
        catch (JsonException e)
        {
            notes?.Add($"Run settings {file}: not valid JSON ({e.Message}).");
            return (null, null);
        }
    }

    private static JsonNode? ReadZeroShot(GridManifestSetup s, BundleAudit? a, List<string> notes)
    {
        if (!File.Exists(s.ZeroShot)) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(s.ZeroShot!)); }
        catch (JsonException e) { notes.Add($"{s.ZeroShot}: not valid JSON ({e.Message})."); return null; }
        // The zeroshot command and the exported bundle must agree (issue 6); say so when they do not.
        if (a?.ZeroShot is { } z && node?["top1"] is JsonValue v && v.TryGetValue(out double top1) && Math.Abs(top1 - z.Top1) > 1e-9)
            notes.Add($"{s.Label}: the zeroshot command reported top-1 {top1:0.0000}, the bundle gives {z.Top1:0.0000}.");
        return new JsonObject { ["top1"] = node?["top1"]?.DeepClone(), ["top5"] = node?["top5"]?.DeepClone(), ["n_items"] = node?["n_items"]?.DeepClone() };
    }

    private static JsonNode ReadJson(string path)
    {
        try { return JsonNode.Parse(File.ReadAllText(path)) ?? throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: empty JSON"); }
        catch (JsonException e) { throw new ClapAuditException(ErrorKind.InvalidData, $"{path}: not valid JSON ({e.Message})"); }
    }

    private static ReportTable SetupTable(IReadOnlyList<SetupOutcome> setups) => new("Setups and bundles",
        ["setup", "status", "bundle", "items", "classes", "top-5", "not measured"],
        setups.Select(s => (IReadOnlyList<string>)[
            s.Setup.Label,
            s.Reason is null ? s.Status : $"{s.Status}: {s.Reason}",
            s.Setup.Bundle,
            s.Audit?.ItemCount.ToString(Inv) ?? "-",
            s.Audit?.ClassCount.ToString(Inv) ?? "-",
            s.Audit?.ZeroShot?.Top5.ToString("0.000", Inv) ?? "-",
            s.Audit is null ? "-" : s.Audit.Skipped.Count == 0 ? "nothing" : string.Join("; ", s.Audit.Skipped),
        ]).ToList());

    private static (string Title, string? Paper, JsonObject? PaperJson) PaperCorrelation(string name) => name switch
    {
        CrossBundleCorrelations.Top1VsSilhouetteAudio => ("Accuracy vs silhouette of E_a (section 3.1)",
            $"rho {PaperReference.AccuracyVsSilhouetteRho:0.00}, p < 0.01", new JsonObject { ["rho"] = PaperReference.AccuracyVsSilhouetteRho, ["p_below"] = 0.01 }),
        CrossBundleCorrelations.LogTop1VsTopologyAudioVsText => ("log accuracy vs S(E_a, E_t) (section 3.2)",
            $"rho {PaperReference.LogAccuracyVsTopologyRho:0.00}, p {PaperReference.LogAccuracyVsTopologyP:0.000}",
            new JsonObject { ["rho"] = PaperReference.LogAccuracyVsTopologyRho, ["p"] = PaperReference.LogAccuracyVsTopologyP }),
        "top1_vs_silhouette_audio_backbone" => ("Accuracy vs silhouette of x_a (extra)", null, null),
        "top1_vs_topology_audio_vs_text" => ("Accuracy vs S(E_a, E_t) (extra)", null, null),
        "silhouette_audio_vs_silhouette_audio_backbone" => ("Silhouette of E_a vs silhouette of x_a (extra)", null, null),
        _ => (name, null, null),
    };

    private static TopologyCell? Cell(BundleAudit a, string key) =>
        a.Topology.TryGetValue(key, out var t) ? new TopologyCell(t.S, t.K, t.Chance[t.K - 1], t.SAdjusted) : null;

    private static double? Get(IReadOnlyDictionary<string, double> d, string key) => d.TryGetValue(key, out var v) ? v : null;
    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)(double.IsFinite(v) ? JsonValue.Create(v) : null)).ToArray());
    private static string Safe(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));
}
