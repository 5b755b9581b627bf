using System.CommandLine;
using System.Globalization;
using ClapAudit.Analysis;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Report;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary>
/// <c>clapaudit report GRID_DIR</c> or <c>clapaudit report --setup T/P=BUNDLE ...</c>: the paper's Tables 1-3,
/// correlations and Figures 2-4 as one self-contained HTML file, report.json and the figures as PNG/SVG.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var grid = new Argument<string?>("GRID_DIR")
        {
            Description = "A grid folder holding grid.json (docs/formats.md). Omit it and name the bundles with --setup instead.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var setups = new Option<string[]>("--setup")
        {
            HelpName = "TRAINING/PRETRAINING=BUNDLE",
            Description = "A setup and its bundle, e.g. dirty/clean=runs/dc/bundle (training: dirty|clean, pre-training: dirty|clean|none). Repeat for each setup.",
            AllowMultipleArgumentsPerToken = false,
        };
        var backbones = new Option<string[]>("--backbone")
        {
            HelpName = "CAPTION=BUNDLE",
            Description = "A backbone-only bundle for Figure 4, e.g. \"x_a, dirty pre-training=bb/dirty\". A caption starting with x_t maps text_backbone.npy; any other maps audio_backbone.npy.",
        };
        var leakage = new Option<string?>("--leakage") { HelpName = "FILE", Description = "The leakage report of 'data prepare' (leakage.json) to include." };
        var title = new Option<string?>("--title") { HelpName = "TEXT", Description = "Report title (default: the grid's, or \"ClapAudit report\")." };
        var output = new Option<string?>("--out") { HelpName = "FILE.html", Description = "The HTML report (default: GRID_DIR/report.html, or report.html here with --setup). Figures go to <name>_files/ beside it." };
        var json = new Option<string?>("--json") { HelpName = "FILE", Description = "report.json with every number (default: beside the HTML, same name, .json)." };
        var noTsne = new Option<bool>("--no-tsne") { Description = "Skip the t-SNE maps (Figures 2-4): much faster on large bundles." };
        var metric = new Option<string>("--metric") { HelpName = "cosine|euclidean", Description = "Distance for silhouette, topology and t-SNE.", DefaultValueFactory = _ => "cosine" };
        var seed = CommonOptions.Seed();
        var command = new Command("report", "Build the paper's report (Tables 1-3, correlations, Figures 2-4, leakage, settings, versions) from a grid folder or from bundles.")
        {
            grid, setups, backbones, leakage, title, output, json, noTsne, metric, seed,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            string? gridDir = parse.GetValue(grid);
            var setupArgs = parse.GetValue(setups) ?? [];
            var backboneArgs = parse.GetValue(backbones) ?? [];
            Guard.Setting(gridDir is not null || setupArgs.Length > 0, "report: give a GRID_DIR or at least one --setup TRAINING/PRETRAINING=BUNDLE");
            Guard.Setting(gridDir is null || (setupArgs.Length == 0 && backboneArgs.Length == 0),
                "report: give either a GRID_DIR or --setup/--backbone bundles, not both");

            GridManifest manifest;
            if (gridDir is not null)
            {
                manifest = GridManifest.Load(gridDir);
                if (parse.GetValue(leakage) is string l) manifest = manifest with { Leakage = Path.GetFullPath(l) };
            }
            else manifest = FromArguments(setupArgs, backboneArgs, parse.GetValue(leakage));
            if (parse.GetValue(title) is string t) manifest = manifest with { Title = t };

            string html = parse.GetValue(output) ?? (gridDir is not null ? Path.Combine(gridDir, "report.html") : "report.html");
            var options = new ReportOptions
            {
                Audit = new AuditOptions { Metric = DistanceMetrics.Parse(parse.GetValue(metric)!) }.Validated(),
                Seed = parse.GetValue(seed),
                Tsne = !parse.GetValue(noTsne),
                HtmlPath = html,
                JsonPath = parse.GetValue(json),
                // Bundles named on the command line must load; a grid's unfinished ones are shown as missing.
                StrictBundles = gridDir is null,
            };
            return Run(manifest, options, ctx, token);
        });
        return command;
    }

    /// <summary>The grid of --setup "T/P=BUNDLE" and --backbone "CAPTION=BUNDLE" arguments (split at the last '=').</summary>
    internal static GridManifest FromArguments(string[] setups, string[] backbones, string? leakage)
    {
        var list = new List<GridManifestSetup>();
        foreach (var arg in setups)
        {
            var (name, bundle) = Split(arg, "--setup", "TRAINING/PRETRAINING=BUNDLE");
            var parts = name.Split('/');
            Guard.Setting(parts.Length == 2 && parts.All(p => p.Trim().Length > 0),
                $"--setup '{arg}': expected TRAINING/PRETRAINING=BUNDLE, e.g. dirty/clean=runs/dc/bundle");
            string tr = parts[0].Trim().ToLowerInvariant(), pre = parts[1].Trim().ToLowerInvariant();
            Guard.Setting(list.All(s => s.Training != tr || s.PreTraining != pre), $"--setup '{arg}': setup {tr}/{pre} is given twice");
            Guard.DirectoryExists(bundle, $"bundle of setup {tr}/{pre}");
            list.Add(new GridManifestSetup(tr, pre, Path.GetFullPath(bundle)));
        }
        var bb = new List<GridManifestBackbone>();
        foreach (var arg in backbones)
        {
            var (caption, bundle) = Split(arg, "--backbone", "CAPTION=BUNDLE");
            Guard.DirectoryExists(bundle, $"backbone bundle '{caption}'");
            string rep = caption.TrimStart().StartsWith("x_t", StringComparison.OrdinalIgnoreCase) ? "text_backbone" : "audio_backbone";
            bb.Add(new GridManifestBackbone(caption.Trim(), Path.GetFullPath(bundle), rep));
        }
        if (leakage is not null) Guard.FileExists(leakage, "leakage report");
        return new GridManifest { Setups = list, Backbones = bb, Leakage = leakage is null ? null : Path.GetFullPath(leakage) };
    }

    private static (string Name, string Path) Split(string arg, string option, string form)
    {
        int eq = arg.LastIndexOf('=');
        Guard.Setting(eq > 0 && eq < arg.Length - 1, $"{option} '{arg}': expected {form}");
        return (arg[..eq], arg[(eq + 1)..]);
    }

    private static int Run(GridManifest manifest, ReportOptions options, CommandContext ctx, CancellationToken token)
    {
        var console = Consoles.Create(ctx.Output);
        ReportOutcome outcome;
        if (console.Profile.Capabilities.Interactive)
        {
            ReportOutcome? result = null;
            console.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new SpinnerColumn(), new ElapsedTimeColumn())
                .Start(p =>
                {
                    var task = p.AddTask("report").IsIndeterminate();
                    var progress = new SyncProgress<string>(m => task.Description = Markup.Escape(m));
                    result = ReportBuilder.Build(manifest, options, progress, token);
                    task.Description = "report written";
                    task.StopTask();
                });
            outcome = result!;
        }
        else
        {
            var progress = new SyncProgress<string>(m => console.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
            outcome = ReportBuilder.Build(manifest, options, progress, token);
        }
        Render(console, outcome);
        return ExitCodes.Ok;
    }

    // ------------------------------------------------------------------ terminal tables

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double? v) => v is double d ? d.ToString("0.000", Inv) : "[red]missing[/]";
    /// <summary>A cell's 95% interval beside its value, in grey: " [lo, hi]".</summary>
    private static string I(double[]? ci) => ci is [double lo, double hi]
        ? $" [grey][[{lo.ToString("0.000", Inv)}, {hi.ToString("0.000", Inv)}]][/]" : "";

    /// <summary>Tables 1-3 and the correlations in the terminal (also used by <c>demo</c>).</summary>
    internal static void Render(IAnsiConsole console, ReportOutcome o)
    {
        var rows = Order(o.Data.Setups.Select(s => s.Training), PaperReference.TrainingData);
        var cols = Order(o.Data.Setups.Select(s => s.PreTraining), PaperReference.PreTrainingData);
        var byKey = o.Data.Setups.ToDictionary(s => (s.Training, s.PreTraining));
        string Cell((string, string) key, Func<ReportSetup, string> f) => byKey.TryGetValue(key, out var s) ? f(s) : "[red]missing[/]";

        int c = o.Data.ClassCount;
        bool intervals = o.Data.Setups.Any(s => s.Top1Interval is not null);
        string note = intervals ? "; in brackets: the 95% bootstrap interval" : "";
        Grid(console, "Table 1: zero-shot top-1 accuracy", rows, cols, [""],
            (key, _) => Cell(key, s => F(s.Top1) + I(s.Top1Interval)),
            $"random guess 1/C = {(c > 0 ? (1.0 / c).ToString("0.000", Inv) : "-")}{note}");
        Grid(console, $"Table 2: silhouette ({o.Data.Metric})", rows, cols, ["x_a", "E_a"],
            (key, rep) => Cell(key, s => rep == "x_a"
                ? F(s.SilhouetteAudioBackbone) + I(s.SilhouetteAudioBackboneInterval)
                : F(s.SilhouetteAudio) + I(s.SilhouetteAudioInterval)),
            intervals ? "in brackets: the 95% bootstrap interval" : null);
        Grid(console, "Table 3: topological similarity S (k; chance)", rows, cols, ["x_a vs E_a", "x_t vs E_t", "E_a vs E_t"],
            (key, rep) => Cell(key, s =>
            {
                var t = rep switch { "x_a vs E_a" => s.AudioBackboneVsAudio, "x_t vs E_t" => s.TextBackboneVsText, _ => s.AudioVsText };
                return t is null ? "[red]missing[/]" : $"{t.S.ToString("0.000", Inv)} [grey](k={t.K}; {t.Chance.ToString("0.00", Inv)})[/]";
            }));

        var corr = new Table().Border(TableBorder.Rounded).Title("[bold]Correlations across setups[/]")
            .AddColumn("pair").AddColumn(new TableColumn("rho").RightAligned()).AddColumn(new TableColumn("p").RightAligned())
            .AddColumn(new TableColumn("n").RightAligned()).AddColumn("paper");
        foreach (var r in o.Data.Correlations)
            corr.AddRow(Markup.Escape(r.Title),
                r.Rho is double rho ? rho.ToString("0.000", Inv) : "[grey]-[/]",
                r.P is double p ? (p < 1e-3 ? p.ToString("0.0e0", Inv) : p.ToString("0.000", Inv)) : "[grey]-[/]",
                r.N.ToString(Inv),
                Markup.Escape(r.PaperValue ?? ""));
        console.Write(corr);
        foreach (var r in o.Data.Correlations.Where(r => r.Note is not null).Take(1))
            console.MarkupLine($"[yellow]{Markup.Escape(r.Note!)}[/]");
        foreach (var s in o.Setups.Where(s => s.Reason is not null))
            console.MarkupLine($"[yellow]{Markup.Escape(s.Setup.Label)} {s.Status.Name()}:[/] {Markup.Escape(s.Reason!)}");
        foreach (var b in o.Backbones.Where(b => b.Reason is not null))
            console.MarkupLine($"[yellow]backbone '{Markup.Escape(b.Backbone.Caption)}' {b.Status.Name()}:[/] {Markup.Escape(b.Reason!)}");
        if (o.Data.Orderings.Count > 0)
        {
            foreach (string measure in o.Data.Orderings.Select(x => x.Measure).Distinct())
                console.MarkupLine($"Paper's orderings: {Markup.Escape(PaperOrderings.Summary(o.Data.Orderings, measure))}");
            foreach (var x in o.Data.Orderings.Where(y => !y.Holds && y.Measure != "silhouette of x_a"))
                console.MarkupLine($"[yellow]unlike the paper:[/] {Markup.Escape(x.Measure)}, {Markup.Escape(x.Claim)}: {Markup.Escape(x.Values)}");
        }
        foreach (var n in o.Data.Notes) console.MarkupLine($"[yellow]note:[/] {Markup.Escape(n)}");
        console.MarkupLine($"Report: [bold]{Markup.Escape(o.HtmlPath)}[/]");
        console.MarkupLine($"Numbers: {Markup.Escape(o.JsonPath)}");
        if (Directory.Exists(o.FiguresDir)) console.MarkupLine($"Figures (PNG, SVG): {Markup.Escape(o.FiguresDir)}");
    }

    private static void Grid(IAnsiConsole console, string title, string[] rows, string[] cols, string[] reps,
        Func<(string, string), string, string> cell, string? caption = null)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]").AddColumn("training");
        if (caption is not null) table.Caption(Markup.Escape(caption));
        bool withRep = reps.Length > 1;
        if (withRep) table.AddColumn("");
        foreach (var c in cols) table.AddColumn(new TableColumn($"pre: {Markup.Escape(c)}").RightAligned());
        foreach (var rep in reps)
            foreach (var r in rows)
            {
                var cells = new List<string> { Markup.Escape(r) };
                if (withRep) cells.Add(Markup.Escape(rep));
                cells.AddRange(cols.Select(c => cell((r, c), rep)));
                table.AddRow(cells.ToArray());
            }
        console.Write(table);
    }

    private static string[] Order(IEnumerable<string> present, string[] canonical)
    {
        var set = present.ToHashSet();
        return canonical.Concat(set.Except(canonical).Order()).ToArray();
    }


}
