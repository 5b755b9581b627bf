using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Data;
using ClapAudit.Training;
using ClapAudit.Training.Pretraining;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit pretrain</c>: CNN14 pre-training on AudioSet-style data, optionally cleaned of ESC-50 classes.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var audioset = new Option<string>("--audioset") { Description = "AudioSet-style folder: class_labels_indices.csv, *_segments.csv, audio/Y{ytid}.wav.", Required = true };
        var output = new Option<string>("--out") { Description = "The PANNs-format checkpoint to write (e.g. cnn14_clean.pth).", Required = true };
        var runDir = new Option<string?>("--run-dir") { Description = "Run directory (run.json, log.csv, leakage.json, checkpoints/); default OUT.run/. Rerunning resumes from it." };
        var cleanAgainst = new Option<string?>("--clean-against") { Description = "ESC-50 folder: remove every clip carrying a label of its classes first (clean pre-training)." };
        var config = new Option<string?>("--config") { Description = "Pre-training settings file (.yaml/.json, snake_case keys)." };
        var set = new Option<string[]>("--set") { Description = "Override one setting, key=value (repeatable), e.g. --set max_epochs=20.", AllowMultipleArgumentsPerToken = false };
        var match = new Option<string>("--match") { Description = "How ESC-50 class words match AudioSet label words: exact or stem.", DefaultValueFactory = _ => "exact" };
        match.AcceptOnlyFromAmong("exact", "stem");
        var json = CommonOptions.Json();
        json.Description = "Write one JSON line per epoch and a final summary line to this file ('-' for standard output).";
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var command = new Command("pretrain", "Pre-train CNN14 on AudioSet-style multi-label data as PANNs does (BCE, Adam, SpecAugment, mixup); writes a PANNs-format checkpoint usable as train --cnn14.")
        {
            audioset, output, runDir, cleanAgainst, config, set, match, json, device, threads,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var recipe = parse.GetValue(config) is { } cfg ? PretrainRecipe.Load(cfg) : new PretrainRecipe();
            var overrides = new List<string>(parse.GetValue(set) ?? []);
            if (parse.GetResult(device) is { Implicit: false }) overrides.Add($"device={parse.GetValue(device)}");
            if (parse.GetResult(threads) is { Implicit: false }) overrides.Add($"threads={parse.GetValue(threads).ToString(CultureInfo.InvariantCulture)}");
            recipe = recipe.WithOverrides(overrides);
            string outFile = parse.GetValue(output)!;
            var job = new PretrainJob(parse.GetValue(audioset)!, outFile, parse.GetValue(runDir) ?? outFile + ".run", recipe)
            {
                CleanAgainstEsc50Dir = parse.GetValue(cleanAgainst),
                Filter = new LeakageFilterOptions(parse.GetValue(match) == "stem" ? WordMatch.Stem : WordMatch.Exact),
            };
            string? jsonPath = parse.GetValue(json);
            using var jsonLines = jsonPath is null ? null : new JsonLines(jsonPath, ctx.Output);
            var text = CommonOptions.TextOutput(jsonPath, ctx);
            var console = CreateConsole(text);
            var progress = new EpochPrinter(console, ctx.Error, jsonLines);
            var result = AudioPretraining.Run(job, progress, token);
            progress.Finish();

            jsonLines?.Write(new JsonObject
            {
                ["event"] = "summary",
                ["cancelled"] = result.Cancelled,
                ["checkpoint"] = result.Cancelled ? null : result.CheckpointPath,
                ["run_directory"] = result.RunDirectory,
                ["epochs"] = result.Epochs,
                ["stop_reason"] = result.StopReason,
                ["clips"] = result.Clips,
                ["train_clips"] = result.TrainClips,
                ["validation_clips"] = result.ValidationClips,
                ["removed_clips"] = result.RemovedClips,
                ["skipped_clips"] = result.SkippedClips,
                ["removed_labels"] = new JsonArray(result.RemovedLabelDetails.Select(l => (JsonNode?)new JsonObject
                { ["mid"] = l.Mid, ["display_name"] = l.DisplayName, ["clips"] = l.Clips }).ToArray()),
                ["best_val_loss"] = result.BestValLoss,
                ["val_map"] = result.ValMeanAveragePrecision,
            });
            RenderSummary(console, result);
            if (result.Cancelled)
            {
                ctx.Error.WriteLine($"clapaudit: cancelled; the run was saved in {result.RunDirectory}. Run the same command again to resume.");
                return ExitCodes.Cancelled;
            }
            text.WriteLine($"Wrote {result.CheckpointPath} (use it as train --cnn14).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void RenderSummary(IAnsiConsole console, PretrainResult r)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]CNN14 pre-training[/]")
            .AddColumn("").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("clips used (train / validation)", $"{r.Clips} ({r.TrainClips} / {r.ValidationClips})");
        table.AddRow("clips removed by the leakage filter", r.RemovedClips.ToString(CultureInfo.InvariantCulture));
        if (r.RemovedLabelDetails.Count > 0)
            table.AddRow("labels removed", Markup.Escape($"{r.RemovedLabelDetails.Count}; top: " + string.Join(", ",
                r.RemovedLabelDetails.OrderByDescending(l => l.Clips).Take(8).Select(l => $"{l.DisplayName} ({l.Clips})"))));
        if (r.SkippedClips > 0) table.AddRow("unreadable clips skipped", r.SkippedClips.ToString(CultureInfo.InvariantCulture));
        table.AddRow("epochs", $"{r.Epochs}{(r.StopReason is { } s ? $" ({s.Replace('_', ' ')})" : r.Cancelled ? " (cancelled)" : "")}");
        table.AddRow("best validation loss", r.BestValLoss is double v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a");
        table.AddRow("validation mAP (best epoch)", r.ValMeanAveragePrecision is double m ? m.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a");
        table.AddRow("run directory", Markup.Escape(r.RunDirectory));
        console.Write(table);
    }

    private static IAnsiConsole CreateConsole(TextWriter writer) => Consoles.Create(writer, interactive: false);

    /// <summary>JSON lines to a file or standard output.</summary>
    private sealed class JsonLines(string path, TextWriter stdout) : IDisposable
    {
        private readonly TextWriter _writer = path == "-" ? stdout : new StreamWriter(path, append: false);
        public void Write(JsonObject o) { _writer.WriteLine(o.ToJsonString()); _writer.Flush(); }
        public void Dispose() { if (!ReferenceEquals(_writer, stdout)) _writer.Dispose(); }
    }

    /// <summary>
    /// Synchronous progress (Progress&lt;T&gt; would post out of order): on a terminal a bar redrawn on
    /// one line (epoch, step, loss, clips/s, ETA); always one line per epoch and skipped files on stderr.
    /// </summary>
    private sealed class EpochPrinter(IAnsiConsole console, TextWriter error, JsonLines? json) : IProgress<TrainingProgress>
    {
        private readonly bool _live = !Console.IsOutputRedirected && !Console.IsErrorRedirected && ReferenceEquals(error, Console.Error);
        private double _clipsPerSecond;

        public void Report(TrainingProgress p)
        {
            switch (p.Event)
            {
                case TrainingEvent.Step:
                    _clipsPerSecond = p.ClipsPerSecond;
                    if (_live && p.StepsInEpoch > 0)
                    {
                        int width = 30, done = (int)Math.Round(width * (double)p.Step / p.StepsInEpoch);
                        error.Write($"\repoch {p.Epoch + 1} [{new string('#', done)}{new string('-', width - done)}] {p.Step}/{p.StepsInEpoch} " +
                                    $"loss {F(p.EpochLoss)} {p.ClipsPerSecond:0.0} clips/s ETA {p.Eta:hh\\:mm\\:ss}   ");
                    }
                    break;
                case TrainingEvent.EpochEnd:
                    if (_live) error.Write("\r" + new string(' ', 100) + "\r");
                    string map = p.Message?.Replace("val_map=", "") ?? "NaN";
                    console.MarkupLine(Markup.Escape($"epoch {p.Epoch + 1}: train loss {F(p.EpochLoss)}, val loss {F(p.ValLoss)}, val mAP {map}, {_clipsPerSecond:0.0} clips/s, step {p.GlobalStep}"));
                    json?.Write(new JsonObject
                    {
                        ["event"] = "epoch",
                        ["epoch"] = p.Epoch,
                        ["step"] = p.GlobalStep,
                        ["train_loss"] = Num(p.EpochLoss),
                        ["val_loss"] = Num(p.ValLoss),
                        ["val_map"] = Num(double.TryParse(map, CultureInfo.InvariantCulture, out var m) ? m : double.NaN),
                        ["clips_per_second"] = _clipsPerSecond,
                        ["skipped"] = p.Skipped,
                    });
                    break;
                case TrainingEvent.ItemSkipped:
                    error.WriteLine($"skipped: {p.Message}");
                    break;
                case TrainingEvent.Resumed:
                    console.MarkupLine(Markup.Escape(p.Message ?? "resumed"));
                    break;
            }
        }

        public void Finish()
        {
            if (_live) error.Write("\r" + new string(' ', 100) + "\r");
        }

        private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);
        private static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
    }
}
