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

/// <summary>How one setup came out: ok, missing (no bundle yet) or unreadable (Reason says why).</summary>
public sealed record SetupOutcome(GridManifestSetup Setup, BundleStatus Status, string? Reason, BundleAudit? Audit, ReportSetup Row);

/// <summary>How one backbone-only bundle came out; Silhouette of x_a when measured.</summary>
public sealed record BackboneOutcome(GridManifestBackbone Backbone, BundleStatus Status, string? Reason, double? Silhouette, ReportFigure Figure);

/// <summary>What <see cref="ReportBuilder"/> produced: the report's data, the files written and the per-setup outcomes.</summary>
public sealed record ReportOutcome(
    ReportData Data,
    string HtmlPath,
    string JsonPath,
    string FiguresDir,
    IReadOnlyList<SetupOutcome> Setups,
    IReadOnlyList<BackboneOutcome> Backbones,
    CorrelationReport Correlations,
    ReportDocument Document)
{
    /// <summary>report.json as written, for reading by key.</summary>
    public JsonObject Json => JsonNode.Parse(ResultJson.ToText(Document))!.AsObject();
}

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
        var audit = (options.Audit with { Seed = options.Seed }).Validated();
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
        var setupEntries = new List<SetupEntry>();
        var confusionMaps = new List<ReportFigure>();
        int? classCount = grid.Classes;
        foreach (var s in grid.Setups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = new ReportSetup(s.Training, s.PreTraining) { BundlePath = s.Bundle };
            var bundle = TryLoad(s.Bundle, options.StrictBundles, out var status, out string? reason);
            // An unfinished setup may have no run.json yet; say so only for a measured one.
            var (settingsText, settingsNode) = ReadRunSettings(s.Run, bundle is null ? null : notes);
            row = row with { SettingsJson = settingsText };
            progress?.Report($"{s.Label}: {(bundle is null ? status.Name() : "audit")}");
            BundleAudit? a = null;
            if (bundle is not null)
            {
                a = EmbeddingAudit.Run(bundle, audit, cancellationToken: cancellationToken);
                classCount ??= bundle.ClassCount;
                if (bundle.ClassCount != classCount)
                    notes.Add($"{s.Label}: {bundle.ClassCount} classes, while other bundles have {classCount}; the random guess line uses {classCount}.");
                if (a.ZeroShot is { } z)
                {
                    string cm = Path.Combine(figures, $"confusion_{Safe(s.Training)}-{Safe(s.PreTraining)}");
                    ConfusionPlot.Save(cm, ConfusionPlot.Matrix(bundle.Labels, z.Predictions, bundle.ClassCount), bundle.ClassNames,
                        $"Zero-shot confusions, {s.Label}");
                    confusionMaps.Add(new ReportFigure(s.Label, cm + ".png"));
                }
                row = row with
                {
                    Top1 = a.ZeroShot?.Top1,
                    Top5 = a.ZeroShot?.Top5,
                    SilhouetteAudio = a.Silhouette.Audio,
                    SilhouetteAudioBackbone = a.Silhouette.AudioBackbone,
                    Top1Interval = a.Ci?.Top1,
                    SilhouetteAudioInterval = a.Ci?.SilhouetteAudio,
                    SilhouetteAudioBackboneInterval = a.Ci?.SilhouetteAudioBackbone,
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
                    var maps = TsneMapSet.None;
                    if (ea is not null) { row = row with { AudioMapImage = ea.Value.Stem + ".png" }; maps = maps.With(Representation.Audio, MapEntry(ea.Value, Rel)); }
                    if (et is not null) { row = row with { TextMapImage = et.Value.Stem + ".png" }; maps = maps.With(Representation.Text, MapEntry(et.Value, Rel)); }
                    a = a with { Tsne = maps };
                }
            }
            setups.Add(new SetupOutcome(s, status, reason, a, row));
            setupEntries.Add(new SetupEntry(s.Training, s.PreTraining, s.Label, Rel(s.Bundle), status, reason, a, settingsNode,
                s.ZeroShot is null ? null : ReadZeroShot(s, a, notes)));
        }

        // ---------------------------------------------------------------- backbones (Figure 4)
        var backbones = new List<BackboneOutcome>();
        var backboneEntries = new List<BackboneEntry>();
        foreach (var (b, i) in grid.Backbones.Select((b, i) => (b, i)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bundle = TryLoad(b.Bundle, options.StrictBundles, out var status, out string? reason);
            progress?.Report($"backbone '{b.Caption}': {(bundle is null ? status.Name() : "audit")}");
            double? silhouette = null;
            string image = "";
            TsneMapFile? figure = null;
            if (bundle is not null)
            {
                bool text = b.Representation == "text_backbone";
                var x = text ? bundle.TextBackbone : bundle.AudioBackbone;
                if (x is null)
                {
                    status = BundleStatus.Unreadable;
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
                        if (m is not null) { image = m.Value.Stem + ".png"; figure = MapEntry(m.Value, Rel); }
                    }
                }
            }
            backbones.Add(new BackboneOutcome(b, status, reason, silhouette, new ReportFigure(b.Caption, image)));
            backboneEntries.Add(new BackboneEntry(b.Caption, Representations.Parse(b.Representation), Rel(b.Bundle), status, reason,
                silhouette, figure));
        }

        // ---------------------------------------------------------------- correlations
        progress?.Report("correlations");
        var ok = setups.Where(s => s.Audit is not null).ToList();
        var audits = ok.Select(s => s.Audit!).ToList();
        var correlations = CrossBundleCorrelations.Compute(audits);
        var reportCorrelations = new List<ReportCorrelation>();
        var correlationEntries = new Dictionary<string, CorrelationEntry>();
        var entries = CrossBundleCorrelations.Entries(audits, ok.Select(o => o.Setup.Label).ToList(), correlations, options.Seed);
        foreach (var pair in CrossBundleCorrelations.Pairs)
        {
            var entry = entries[pair.Name];
            var (title, paper, paperValue) = PaperCorrelation(pair.Name);
            var rc = new ReportCorrelation(title, pair.XLabel, pair.YLabel, entry.N) { PaperValue = paper };
            entry = entry with { Paper = paperValue };
            if (correlations.Correlations.ContainsKey(pair.Name))
            {
                string stem = Path.Combine(figures, $"correlation_{pair.Name}");
                Directory.CreateDirectory(figures);
                CorrelationPlot.Save(stem, entry.XValues.ToList(), entry.YValues.ToList(), entry.Labels.ToList(), title, pair.XLabel, pair.YLabel);
                rc = rc with { Rho = entry.Rho, P = entry.P, ScatterImage = stem + ".png" };
                entry = entry with { Figure = new FigureFiles(Rel(stem + ".png"), Rel(stem + ".svg")) };
            }
            else
            {
                rc = rc with { Note = $"not computed: needs at least {CrossBundleCorrelations.MinimumBundles} setups with both values (have {entry.N})" };
                entry = entry with { Note = rc.Note };
            }
            reportCorrelations.Add(rc);
            correlationEntries[pair.Name] = entry;
        }

        // ---------------------------------------------------------------- tables, versions, output
        var tables = new List<ReportTable> { SetupTable(setups) };
        tables.AddRange(AuditTables.All(setups, correlationEntries));
        if (backbones.Count > 0)
            tables.Add(new ReportTable("Backbones before cross-modal training (Figure 4 bundles)",
                ["bundle", "representation", $"silhouette of x_a ({audit.Metric.Name()})", "status"],
                backbones.Select(b => (IReadOnlyList<string>)[b.Backbone.Caption, b.Backbone.Representation,
                    b.Silhouette is double v ? v.ToString("0.000", Inv) : "-", b.Reason is null ? b.Status.Name() : $"{b.Status.Name()}: {b.Reason}"]).ToList()));
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
            Subtitle = $"{setups.Count(s => s.Status == BundleStatus.Ok)} of {setups.Count} setups measured; {audit.Metric.Name()} distance; t-SNE seed {options.Seed}",
            ClassCount = classCount ?? 0,
            Setups = setups.Select(s => s.Row).ToList(),
            Correlations = reportCorrelations,
            BackboneMaps = backbones.Select(b => b.Figure).ToList(),
            ConfusionMaps = confusionMaps,
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
        var document = new ReportDocument(
            Version: AnalyzeDocument.CurrentVersion,
            Title: grid.Title,
            Created: data.Created,
            Html: Rel(html),
            FiguresDir: options.Tsne || confusionMaps.Count > 0 || reportCorrelations.Any(c => c.ScatterImage is not null) ? Rel(figures) : null,
            NClasses: classCount,
            RandomGuess: classCount is int c && c > 0 ? 1.0 / c : null,
            Settings: AuditSettings.From(audit, options.Seed, options.Tsne),
            Setups: setupEntries,
            Backbones: backboneEntries,
            Correlations: correlationEntries,
            CorrelationsSkipped: correlations.Skipped,
            Leakage: leakageNode,
            Versions: versions,
            Notes: notes,
            Orderings: data.Orderings);
        ResultJson.Write(json, document);
        return new ReportOutcome(data, html, json, figures, setups, backbones, correlations, document);
    }

    // ------------------------------------------------------------------ pieces

    private static EmbeddingBundle? TryLoad(string path, bool strict, out BundleStatus status, out string? reason)
    {
        if (!Directory.Exists(path))
        {
            status = BundleStatus.Missing;
            reason = "bundle folder not found (setup not finished?)";
            if (strict) throw new ClapAuditException(ErrorKind.NotFound, $"{path}: {reason}");
            return null;
        }
        try
        {
            var b = EmbeddingBundle.Load(path);
            status = BundleStatus.Ok;
            reason = null;
            return b;
        }
        catch (ClapAuditException e) when (!strict)
        {
            status = BundleStatus.Unreadable;
            reason = e.Message;
            return null;
        }
    }

    private readonly record struct MapFile(string Stem, double Kl, int Iterations, double Perplexity, int Points, double? Trustworthiness);

    private static MapFile? Map(EmbeddingMatrix? x, int[] labels, IReadOnlyList<string> classNames, string stem, string title,
        DistanceMetric metric, int seed, IProgress<string>? progress, string what, CancellationToken token)
    {
        if (x is null || x.Rows < TsneMaps.MinimumPoints) return null;
        progress?.Report($"{what}: t-SNE of {title} ({x.Rows} points)");
        var result = TsneMaps.Fit(x, metric, seed, cancellationToken: token);
        double? trust = TsneMaps.TrustworthinessOf(x, result, metric);
        EmbeddingMapPlot.Save(stem, result.Embedding, labels, classNames, TsneMaps.Title(title, metric, trust));
        return new MapFile(stem, result.KlDivergence, result.Iterations, TsneMaps.PerplexityFor(x.Rows), x.Rows, trust);
    }

    private static TsneMapFile MapEntry(MapFile m, Func<string, string> rel) =>
        new(null, rel(m.Stem + ".png"), rel(m.Stem + ".svg"), m.Points, m.Perplexity, m.Kl, m.Iterations, m.Trustworthiness);

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
            s.Reason is null ? s.Status.Name() : $"{s.Status.Name()}: {s.Reason}",
            s.Setup.Bundle,
            s.Audit?.ItemCount.ToString(Inv) ?? "-",
            s.Audit?.ClassCount.ToString(Inv) ?? "-",
            s.Audit?.ZeroShot?.Top5.ToString("0.000", Inv) ?? "-",
            s.Audit is null ? "-" : s.Audit.Skipped.Count == 0 ? "nothing" : string.Join("; ", s.Audit.Skipped),
        ]).ToList());

    private static (string Title, string? Paper, PaperCorrelation? PaperValue) PaperCorrelation(string name) => name switch
    {
        CrossBundleCorrelations.Top1VsSilhouetteAudio => ("Accuracy vs silhouette of E_a (section 3.1)",
            $"rho {PaperReference.AccuracyVsSilhouetteRho:0.00}, p < 0.01", new PaperCorrelation(PaperReference.AccuracyVsSilhouetteRho, PBelow: 0.01)),
        CrossBundleCorrelations.LogTop1VsTopologyAudioVsText => ("log accuracy vs S(E_a, E_t) (section 3.2)",
            $"rho {PaperReference.LogAccuracyVsTopologyRho:0.00}, p {PaperReference.LogAccuracyVsTopologyP:0.000}",
            new PaperCorrelation(PaperReference.LogAccuracyVsTopologyRho, P: PaperReference.LogAccuracyVsTopologyP)),
        "top1_vs_silhouette_audio_backbone" => ("Accuracy vs silhouette of x_a (extra)", null, null),
        "top1_vs_topology_audio_vs_text" => ("Accuracy vs S(E_a, E_t) (extra)", null, null),
        "silhouette_audio_vs_silhouette_audio_backbone" => ("Silhouette of E_a vs silhouette of x_a (extra)", null, null),
        _ => (name, null, null),
    };

    private static TopologyCell? Cell(BundleAudit a, string key) =>
        a.Topology[key] is { } t ? new TopologyCell(t.S, t.K, t.ChanceAtK, t.SAdjusted) : null;

    private static string Safe(string s) => string.Concat(s.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));
}
