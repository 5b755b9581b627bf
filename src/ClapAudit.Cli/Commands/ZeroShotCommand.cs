using System.CommandLine;
using System.Globalization;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Data;
using ClapAudit.Evaluation;
using ClapAudit.Models;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit zeroshot</c>: zero-shot ESC-50 accuracy of a CLAP model (issue 6).</summary>
public static class ZeroShotCommand
{
    public static Command Create()
    {
        var model = ModelOptions.Model();
        var bert = ModelOptions.Bert();
        var esc50 = ModelOptions.Esc50();
        esc50.Required = false; // or --urbansound8k / --folder
        var us8k = ModelOptions.UrbanSound8k();
        var labelled = ModelOptions.LabelledFolder();
        var folds = ModelOptions.Folds();
        var prompt = ModelOptions.Prompt();
        var json = new Option<string?>("--json") { HelpName = "FILE", Description = "Write {top1, top5, per_class, n_items, classes} as JSON to this file ('-' for standard output)." };
        var output = new Option<string?>("--out") { HelpName = "DIR", Description = "Write confusion.csv and confusion.png/.svg (heat map) into this folder." };
        var batchSize = ModelOptions.BatchSize();
        var melFilters = ModelOptions.MelFilters();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var allowMissing = ModelOptions.AllowMissing();
        var command = new Command("zeroshot",
            "Zero-shot classification of ESC-50: each clip (offset 0, no random crop, so every run gives the same result) goes to the class whose prompt " +
            "embedding is closest (cosine). Prints top-1/top-5 and per-class accuracy.")
        {
            model, bert, esc50, folds, prompt, json, output, batchSize, melFilters, device, threads, allowMissing, us8k,
            labelled,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            DeviceSelector.SetThreads(parse.GetValue(threads));
            var data = ModelOptions.ReadTestSet(parse.GetValue(esc50), parse.GetValue(us8k), parse.GetValue(labelled),
                parse.GetValue(folds), parse.GetValue(allowMissing), ctx.Error);
            using var loaded = ClapModelLoader.Load(parse.GetValue(model)!, parse.GetValue(bert), parse.GetValue(device)!,
                TrainCommand.ParseMelFilters(parse.GetValue(melFilters)!));
            foreach (var w in loaded.Warnings) ctx.Error.WriteLine($"warning: {w}");
            var report = CliProgress.Items(ctx, "zero-shot", data.Items.Count,
                p => ZeroShotEvaluation.Evaluate(loaded, data, parse.GetValue(prompt)!, parse.GetValue(batchSize), p, token));

            string? jsonPath = parse.GetValue(json);
            var console = CliProgress.Console(jsonPath == "-" ? TextWriter.Null : ctx.Output);
            Render(console, report, loaded.Source);
            if (jsonPath == "-")
            {
                string tmp = Path.GetTempFileName();
                report.WriteJson(tmp);
                ctx.Output.Write(File.ReadAllText(tmp));
                File.Delete(tmp);
            }
            else if (jsonPath is not null) report.WriteJson(jsonPath);
            if (parse.GetValue(output) is { } dir)
            {
                Guard.NotAFile(dir, "--out folder");
                Directory.CreateDirectory(dir);
                report.WriteConfusionCsv(Path.Combine(dir, "confusion.csv"));
                report.SaveConfusionPlot(Path.Combine(dir, "confusion"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, ZeroShotReport r, string source)
    {
        console.WriteLine($"model: {source}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"zero-shot on {r.NItems} clips, {r.ClassNames.Count} classes: top-1 {r.Top1:0.0000}, top-5 {r.Top5:0.0000}"));
        var table = new Table().AddColumns("class", "accuracy", "clips", "most confused with");
        for (int c = 0; c < r.ClassNames.Count; c++)
        {
            int total = 0, worst = -1;
            for (int j = 0; j < r.ClassNames.Count; j++)
            {
                total += r.Confusion[c, j];
                if (j != c && r.Confusion[c, j] > 0 && (worst < 0 || r.Confusion[c, j] > r.Confusion[c, worst])) worst = j;
            }
            double acc = r.PerClass[r.ClassNames[c]];
            table.AddRow(Markup.Escape(r.ClassNames[c]), double.IsNaN(acc) ? "n/a" : acc.ToString("0.000", CultureInfo.InvariantCulture),
                total.ToString(CultureInfo.InvariantCulture), worst < 0 ? "" : Markup.Escape($"{r.ClassNames[worst]} ({r.Confusion[c, worst]})"));
        }
        console.Write(table);
    }
}
