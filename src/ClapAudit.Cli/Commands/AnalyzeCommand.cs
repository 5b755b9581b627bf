using System.CommandLine;
using System.Globalization;
using System.Text;
using ClapAudit.Analysis;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Report;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit analyze BUNDLE...</c>: the embedding audit of issue 3 (zero-shot, silhouette, topology, correlations, t-SNE).</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var bundles = new Argument<string[]>("BUNDLE")
        {
            Description = "Bundle folders (audio.npy, text.npy, labels.npy, classes.txt; optional audio_backbone.npy, text_backbone.npy).",
            Arity = ArgumentArity.OneOrMore,
        };
        var metric = new Option<string>("--metric") { HelpName = "cosine|euclidean", Description = "Distance for silhouette, topology and t-SNE: cosine or euclidean.", DefaultValueFactory = _ => "cosine" };
        var kMin = new Option<int>("--k-min") { HelpName = "K", Description = "Smallest k of S = max_k S_k (topological similarity).", DefaultValueFactory = _ => TopologicalSimilarity.DefaultKMin };
        var kMax = new Option<int>("--k-max") { HelpName = "K", Description = "Largest k of S = max_k S_k (clipped to the number of classes - 1).", DefaultValueFactory = _ => TopologicalSimilarity.DefaultKMax };
        var tsne = new Option<string?>("--tsne") { HelpName = "DIR", Description = "Write 2-D t-SNE maps (CSV, PNG, SVG) of every present representation into this folder." };
        var blockSize = new Option<int>("--block-size") { HelpName = "ROWS", Description = "Rows per block of the pairwise distance pass (memory O(n x block)).", DefaultValueFactory = _ => Silhouette.DefaultBlockSize };
        var probeK = new Option<int>("--probe-k") { HelpName = "K", Description = "Neighbours of the leave-one-out k-NN probe.", DefaultValueFactory = _ => KnnProbe.DefaultK };
        var bootstrap = new Option<int>("--bootstrap") { HelpName = "B", Description = "Stratified bootstrap resamples of the 95% intervals (0: none).", DefaultValueFactory = _ => Bootstrap.DefaultResamples };
        var noProbe = new Option<bool>("--no-probe") { Description = "Skip the k-NN and linear probes (the linear probe is the slow part on large bundles)." };
        var noLinearProbe = new Option<bool>("--no-linear-probe") { Description = "Skip only the linear probe (the k-NN probe shares the neighbour pass and costs little)." };
        var perClass = new Option<string?>("--per-class") { HelpName = "FILE.csv", Description = "Write the per-class view (index, class, n, top1, silhouette_audio, confused_with, text_neighbour); with several bundles, FILE's name gets the bundle's folder name." };
        var seed = CommonOptions.Seed();
        var json = CommonOptions.Json();
        var command = new Command("analyze", "Audit embedding bundles: zero-shot accuracy, silhouette, topological similarity, correlations across bundles, t-SNE maps.")
        {
            bundles, metric, kMin, kMax, tsne, seed, json, blockSize, probeK, bootstrap, noProbe, noLinearProbe, perClass,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var options = new AuditOptions
            {
                Metric = DistanceMetrics.Parse(parse.GetValue(metric)!),
                KMin = parse.GetValue(kMin),
                KMax = parse.GetValue(kMax),
                BlockSize = parse.GetValue(blockSize),
                ProbeK = parse.GetValue(probeK),
                Bootstrap = parse.GetValue(bootstrap),
                Probes = !parse.GetValue(noProbe),
                LinearProbe = !parse.GetValue(noLinearProbe),
                Seed = parse.GetValue(seed),
            }.Validated();
            return Run(parse.GetValue(bundles)!, options, parse.GetValue(tsne), parse.GetValue(seed), parse.GetValue(json),
                parse.GetValue(perClass), ctx, token);
        });
        return command;
    }

    private static int Run(string[] paths, AuditOptions options, string? tsneDir, int seed, string? jsonPath, string? perClassPath,
        CommandContext ctx, CancellationToken token)
    {
        bool jsonToStdout = jsonPath == "-";
        var console = Consoles.Create(jsonToStdout ? TextWriter.Null : ctx.Output);
        string jsonBase = jsonPath is null || jsonToStdout ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;

        // Retrieval bundles (caption_audio.npy, no labels) get the retrieval metrics only; see AddRetrieval.
        var retrievalOnly = paths.Where(p => RetrievalBundle.IsRetrievalBundle(p) && !File.Exists(Path.Combine(p, EmbeddingBundle.LabelsFile))).ToArray();
        paths = paths.Except(retrievalOnly).ToArray();
        // Load everything first, so a bad bundle fails before minutes of work.
        var loaded = paths.Select(EmbeddingBundle.Load).ToList();
        var retrievalBundles = retrievalOnly.Select(RetrievalBundle.Load).ToList();
        var audits = new List<BundleAudit>();
        var entries = new List<BundleAudit>();
        var tsneFolders = TsneFolders(paths, tsneDir);
        for (int b = 0; b < loaded.Count; b++)
        {
            token.ThrowIfCancellationRequested();
            var audit = EmbeddingAudit.Run(loaded[b], options, cancellationToken: token);
            var maps = tsneFolders is null ? null : WriteTsne(loaded[b], tsneFolders[b], options.Metric, seed, jsonBase, console, token);
            audit = audit with { Tsne = maps, Retrieval = AddRetrieval(console, paths[b], token) };
            audits.Add(audit);
            RenderBundle(console, audit, options);
            if (perClassPath is not null) AtomicFile.WriteAllText(PerClassFile(perClassPath, paths, b), ClassView.Csv(audit.PerClass));
            entries.Add(audit);
        }
        foreach (var r in retrievalBundles)
            entries.Add(BundleAudit.RetrievalOnly(r.Path, AddRetrieval(console, r.Path, token)!));

        var report = CrossBundleCorrelations.Compute(audits);
        var correlations = CrossBundleCorrelations.Entries(audits, audits.Select(a => a.Path).ToList(), report, seed);
        RenderCorrelations(console, report, correlations, audits.Count);

        if (jsonPath is not null)
        {
            var document = new AnalyzeDocument(AnalyzeDocument.CurrentVersion, entries, correlations, report.Skipped,
                AuditSettings.From(options, seed, tsneDir is not null));
            if (jsonToStdout) ctx.Output.Write(ResultJson.ToText(document));
            else ResultJson.Write(jsonPath, document);
        }
        return ExitCodes.Ok;
    }

    /// <summary>With caption_audio.npy in the bundle: text-audio retrieval as one table and the <c>retrieval</c> key.</summary>
    private static RetrievalResult? AddRetrieval(IAnsiConsole console, string path, CancellationToken token)
    {
        if (!RetrievalBundle.IsRetrievalBundle(path)) return null;
        var r = RetrievalMetrics.Compute(RetrievalBundle.Load(path), token);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(path)}[/]: retrieval, {r.Audio} clips, {r.Captions} captions, cosine")
            .AddColumns("direction", "R@1", "R@5", "R@10", "mAP@10");
        table.AddRow("text to audio", F(r.TextToAudio.R1), F(r.TextToAudio.R5), F(r.TextToAudio.R10), F(r.TextToAudio.Map10));
        table.AddRow("audio to text (best own caption)", F(r.AudioToText.R1), F(r.AudioToText.R5), F(r.AudioToText.R10), F(r.AudioToText.Map10));
        console.Write(table);
        return r;
    }

    // ------------------------------------------------------------------ rendering

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void RenderBundle(IAnsiConsole console, BundleAudit a, AuditOptions options)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(a.Path)}[/]: {a.ItemCount} items, {a.ClassCount} classes, {options.Metric.Name()} distance")
            .AddColumn("measure").AddColumn(new TableColumn("value").RightAligned()).AddColumn("note");
        if (a.ZeroShot is { } z)
        {
            table.AddRow("zero-shot top-1", F(z.Top1), $"chance {F(1.0 / a.ClassCount)}");
            table.AddRow("zero-shot top-5", F(z.Top5), "");
        }
        foreach (var r in new[] { Representation.Audio, Representation.AudioBackbone })
            if (a.Silhouette[r] is double s)
                table.AddRow($"silhouette {r.Name()}", F(s), r == Representation.Audio ? "E_a with the labels" : "x_a with the labels");
        foreach (var key in TopologyComparisons.Names)
            if (a.Topology[key] is { } t)
                table.AddRow($"topology {key}", F(t.S),
                    $"k = {t.K} of {t.KMin}..{t.KMax}, chance {F(t.Chance[t.K - 1])}, chance-adjusted {F(t.SAdjusted)} (k = {t.KAdjusted}), m = {t.Points}");
        foreach (var (r, knn, linear) in new[] { (Representation.Audio, a.Probe.Knn.Audio, a.Probe.Linear.Audio),
                     (Representation.AudioBackbone, a.Probe.Knn.AudioBackbone, a.Probe.Linear.AudioBackbone) })
        {
            if (knn is not null) table.AddRow($"k-NN probe {r.Name()}", F(knn.Top1), $"leave-one-out, k = {knn.K}");
            if (linear is not null) table.AddRow($"linear probe {r.Name()}", F(linear.Top1), $"logistic regression, {linear.Folds} folds");
        }
        if (a.Probe.ZeroShotShare is double share) table.AddRow("zero-shot share", F(share), "zero-shot top-1 / linear probe of audio");
        if (a.Ci is { } ci)
            foreach (var (name, v) in new[] { ("top-1", ci.Top1), ("silhouette audio", ci.SilhouetteAudio), ("silhouette audio_backbone", ci.SilhouetteAudioBackbone) })
                if (v is not null) table.AddRow($"95% interval {name}", $"{F(v[0])} .. {F(v[1])}", $"stratified bootstrap, {ci.Resamples} resamples");
        if (a.PerFold is { } pf)
            table.AddRow("zero-shot per fold", $"{F(pf.Mean)} ± {F(pf.Std)}", string.Join(", ", pf.Folds.Select(f => $"{f.Fold}: {F(f.Top1)}")));
        foreach (var (name, al) in new[] { (EmbeddingAudit.AudioBackboneVsAudio, a.Alignment.AudioBackboneVsAudio),
                     (EmbeddingAudit.TextBackboneVsText, a.Alignment.TextBackboneVsText), (EmbeddingAudit.AudioVsText, a.Alignment.AudioVsText) })
            if (al is not null)
                table.AddRow($"CKA {name}", F(al.Cka), al.MutualKnn is double mk ? $"mutual k-NN (k = {a.Alignment.MutualKnnK}) {F(mk)}" : "");
        if (a.Tsne is { } maps)
            foreach (var r in new[] { Representation.Audio, Representation.AudioBackbone, Representation.Text, Representation.TextBackbone })
                if (maps[r]?.Trustworthiness is double tw) table.AddRow($"t-SNE trustworthiness {r.Name()}", F(tw), "5 neighbours");
        foreach (var s in a.Skipped) table.AddRow("[grey]skipped[/]", "", Markup.Escape(s));
        if (a.EmptyClasses.Count > 0)
            table.Caption($"{a.EmptyClasses.Count} class(es) with no items left out of the class-level clouds: {Markup.Escape(string.Join(", ", a.EmptyClasses))}");
        console.Write(table);
    }

    private static string P(double? p) => p is double v ? v.ToString("0.####e+0", CultureInfo.InvariantCulture) : "n/a";

    private static void RenderCorrelations(IAnsiConsole console, CorrelationReport report, IReadOnlyDictionary<string, CorrelationEntry> entries, int bundles)
    {
        if (report.Correlations.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Correlations across {bundles} bundles[/]")
                .AddColumn("pair").AddColumn(new TableColumn("rho").RightAligned()).AddColumn(new TableColumn("p permutation").RightAligned())
                .AddColumn(new TableColumn("p t-test").RightAligned()).AddColumn(new TableColumn("spearman").RightAligned()).AddColumn(new TableColumn("n").RightAligned())
                .Caption("p permutation: exact over all n! pairings for n <= 8 (no normality assumed); p t-test: scipy.stats.pearsonr's");
            foreach (var (name, e) in entries)
                if (report.Correlations.ContainsKey(name))
                    table.AddRow(name, e.Rho is double r ? F(r) : "n/a", P(e.PPermutation), P(e.P), e.Spearman is double s ? F(s) : "n/a",
                        e.N.ToString(CultureInfo.InvariantCulture));
            console.Write(table);
        }
        foreach (var s in report.Skipped) console.MarkupLine($"[grey]skipped:[/] {Markup.Escape(s)}");
    }

    // ------------------------------------------------------------------ t-SNE

    /// <summary>One output folder per bundle: DIR itself for one bundle, DIR/&lt;bundle name&gt; for several.</summary>
    private static string[]? TsneFolders(string[] paths, string? dir)
    {
        if (dir is null) return null;
        if (paths.Length == 1) return [dir];
        var used = new HashSet<string>(StringComparer.Ordinal);
        return paths.Select(p =>
        {
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(p)));
            string candidate = name;
            for (int i = 2; !used.Add(candidate); i++) candidate = $"{name}_{i}";
            return Path.Combine(dir, candidate);
        }).ToArray();
    }

    /// <summary>--per-class FILE.csv: FILE itself for one bundle, FILE_&lt;bundle folder name&gt;.csv for several.</summary>
    private static string PerClassFile(string path, string[] paths, int b)
    {
        if (paths.Length == 1) return path;
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(paths[b])));
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileNameWithoutExtension(path)}_{b + 1}_{name}{Path.GetExtension(path)}");
    }

    /// <summary>Present while a folder's maps are being written; left behind, it says they are incomplete.</summary>
    public const string IncompleteMarker = "INCOMPLETE";

    private static readonly string[] MapNames = ["audio", "audio_backbone", "text", "text_backbone"];

    private static TsneMapSet WriteTsne(EmbeddingBundle bundle, string folder, DistanceMetric metric, int seed,
        string jsonBase, IAnsiConsole console, CancellationToken token)
    {
        Guard.NotAFile(folder, "--tsne folder");
        Directory.CreateDirectory(folder);
        // An interrupted run must not leave maps of two runs side by side: mark the folder, clear the
        // previous run's maps, and remove the mark only when every map is written.
        string marker = Path.Combine(folder, IncompleteMarker);
        AtomicFile.WriteAllText(marker,
            "clapaudit analyze --tsne is writing the maps here; if this file stays, " +
            "that run was interrupted and the maps are incomplete.\n");
        foreach (var name in MapNames)
            foreach (var ext in new[] { ".csv", ".png", ".svg" })
                File.Delete(Path.Combine(folder, name + ext)); // no error when absent
        var classRows = Enumerable.Range(0, bundle.ClassCount).ToArray();
        var maps = new List<(Representation Rep, EmbeddingMatrix? X, int[] Labels)>
        {
            (Representation.Audio, bundle.Audio, bundle.Labels),
            (Representation.AudioBackbone, bundle.AudioBackbone, bundle.Labels),
            (Representation.Text, bundle.Text, classRows),
            (Representation.TextBackbone, bundle.TextBackbone, classRows),
        };
        var written = TsneMapSet.None;
        foreach (var (rep, x, labels) in maps)
        {
            if (x is null) continue;
            string name = rep.Name();
            if (x.Rows < TsneMaps.MinimumPoints) { console.MarkupLine($"[grey]t-SNE of {name} skipped: {x.Rows} points[/]"); continue; }
            var result = TsneMaps.Fit(x, metric, seed, cancellationToken: token);
            string stem = Path.Combine(folder, name);
            WriteMapCsv(stem + ".csv", result.Embedding, labels, bundle.ClassNames);
            double? trust = TsneMaps.TrustworthinessOf(x, result, metric);
            EmbeddingMapPlot.Save(stem, result.Embedding, labels, bundle.ClassNames, TsneMaps.Title(name, metric, trust));
            console.MarkupLine($"t-SNE {Markup.Escape(name)}: {x.Rows} points, KL divergence {F(result.KlDivergence)} after {result.Iterations} iterations, " +
                $"trustworthiness {(trust is double t ? F(t) : "n/a")} -> {Markup.Escape(stem)}.csv/.png/.svg");
            string Rel(string file) => Path.GetRelativePath(jsonBase, file).Replace('\\', '/');
            written = written.With(rep, new TsneMapFile(Rel(stem + ".csv"), Rel(stem + ".png"), Rel(stem + ".svg"), x.Rows,
                TsneMaps.PerplexityFor(x.Rows), result.KlDivergence, result.Iterations, trust));
        }
        File.Delete(marker);
        return written;
    }

    private static void WriteMapCsv(string path, double[] xy, int[] labels, IReadOnlyList<string> classNames)
    {
        var sb = new StringBuilder("x,y,label\n");
        for (int i = 0; i < labels.Length; i++)
        {
            string label = classNames[labels[i]];
            if (label.IndexOfAny([',', '"', '\n']) >= 0) label = "\"" + label.Replace("\"", "\"\"") + "\"";
            sb.Append(xy[2 * i].ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(xy[2 * i + 1].ToString("R", CultureInfo.InvariantCulture)).Append(',')
              .Append(label).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
