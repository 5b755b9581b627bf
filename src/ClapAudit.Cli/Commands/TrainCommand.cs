using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClapAudit.Audio;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Common;
using ClapAudit.Evaluation;
using ClapAudit.Training;
using Spectre.Console;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit train</c>: CLAP training with the paper's recipe on a pair manifest (issue 6).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var manifest = new Option<string>("--manifest") { HelpName = "DIR", Description = "Pair manifest folder with train.jsonl and val.jsonl (from 'clapaudit data').", Required = true };
        var bert = new Option<string>("--bert") { HelpName = "HF_FOLDER", Description = "Hugging Face BERT folder (config.json, vocab.txt, model.safetensors or pytorch_model.bin).", Required = true };
        var cnn14 = new Option<string>("--cnn14") { HelpName = "FILE.pth|none", Description = "PANNs CNN14 weights (e.g. Cnn14_mAP=0.431.pth), or 'none' for random initialisation.", Required = true };
        var output = new Option<string>("--out") { HelpName = "RUN_DIR", Description = "Run directory (run.json, log.csv, checkpoints/, text/). Re-running the same command resumes it.", Required = true };
        var config = new Option<string?>("--config") { HelpName = "recipe.yaml", Description = "Recipe file (YAML or JSON, snake_case keys); keys it does not name keep the paper's defaults." };
        var set = new Option<string[]>("--set")
        {
            HelpName = "key=value",
            Description = "Override a recipe key, e.g. --set batch_size=64 --set frozen_epochs=2 (repeatable). Keys: " + string.Join(", ", TrainingRecipe.Keys) + ".",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var melFilters = new Option<string>("--mel-filters") { HelpName = "computed|checkpoint", Description = "Log-mel filters computed for the recipe's sample rate, or the CNN14 checkpoint's own melW.", DefaultValueFactory = _ => "computed" };
        var json = new Option<bool>("--json") { Description = "Write one JSON line per epoch to standard output (for scripts) instead of the table." };
        var device = new Option<string?>("--device") { HelpName = "cpu|cuda", Description = "Overrides the recipe's device." };
        var threads = new Option<int?>("--threads") { HelpName = "N", Description = "Overrides the recipe's thread count (0: all cores)." };
        var valRetrieval = new Option<bool>("--val-retrieval")
        {
            Description = "Also score retrieval (R@1/5/10, mAP@10, text-to-audio and audio-to-text) on the validation pairs each epoch " +
                          "(log.csv columns t2a_*, a2t_*; the recipe key val_retrieval).",
        };
        var command = new Command("train",
            "Train CLAP (CNN14 + BERT + projectors, CLIP loss) with the paper's recipe: frozen backbones for frozen_epochs at lr 1e-4, " +
            "then unfrozen at 1e-5 with ReduceLROnPlateau and early stopping on the validation loss. Ctrl+C saves checkpoints/last.ckpt and exits with 130; " +
            "re-running resumes.")
        {
            manifest, bert, cnn14, output, config, set, melFilters, json, device, threads, valRetrieval,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var recipe = parse.GetValue(config) is { } cfg ? TrainingRecipe.Load(cfg) : new TrainingRecipe();
            recipe = recipe.WithOverrides(parse.GetValue(set) ?? []);
            if (parse.GetValue(device) is { } d) recipe = recipe with { Device = d };
            if (parse.GetValue(threads) is int t) recipe = recipe with { Threads = t };
            if (parse.GetValue(valRetrieval)) recipe = recipe with { ValRetrieval = true };
            recipe = recipe.Validate();
            string cnn = parse.GetValue(cnn14)!;
            var job = new ClapTrainJob(parse.GetValue(manifest)!, parse.GetValue(bert)!,
                cnn.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : cnn, parse.GetValue(output)!, recipe)
            {
                MelFilters = ParseMelFilters(parse.GetValue(melFilters)!),
            };
            bool jsonLines = parse.GetValue(json);
            var renderer = new TrainRenderer(ctx, jsonLines);
            TrainingResult result = CliProgress.Live(ctx) && !jsonLines
                ? renderer.RunLive(p => ClapTraining.Run(job, p, token))
                : ClapTraining.Run(job, renderer, token);
            string summary = $"{result.Status}: {result.EpochsCompleted} epoch(s), {result.GlobalStep} steps; best val loss " +
                             $"{result.BestValLoss.ToString("G6", CultureInfo.InvariantCulture)} at epoch {result.BestEpoch}; last {result.LastCheckpoint}";
            if (jsonLines) ctx.Error.WriteLine(summary);
            else ctx.Output.WriteLine(summary);
            if (result.Status == TrainingStatus.Cancelled)
            {
                ctx.Error.WriteLine($"clapaudit: cancelled; the run was saved to {result.LastCheckpoint}; run the same command again to resume.");
                return ExitCodes.Cancelled;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static MelFilterSource ParseMelFilters(string value) => value.Trim().ToLowerInvariant() switch
    {
        "computed" => MelFilterSource.Computed,
        "checkpoint" => MelFilterSource.Checkpoint,
        _ => throw new ClapAuditException(ErrorKind.InvalidSetting, $"--mel-filters must be computed or checkpoint, got '{value}'"),
    };

    /// <summary>Renders training progress: JSON lines, plain lines per epoch, or a live Spectre bar per epoch.</summary>
    private sealed class TrainRenderer(CommandContext ctx, bool jsonLines) : IProgress<TrainingProgress>
    {
        private readonly object _lock = new();
        private ProgressContext? _live;
        private ProgressTask? _task;

        public TrainingResult RunLive(Func<IProgress<TrainingProgress>, TrainingResult> run)
        {
            TrainingResult result = null!;
            CliProgress.ErrorConsole().Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(p => { _live = p; result = run(this); });
            return result;
        }

        public void Report(TrainingProgress p)
        {
            lock (_lock)
            {
                switch (p.Event)
                {
                    case TrainingEvent.Step when _live is not null:
                        if (_task is null || _task.IsFinished) _task = _live.AddTask(Describe(p), maxValue: Math.Max(1, p.StepsInEpoch));
                        _task.Description = Describe(p);
                        _task.Value = p.Step;
                        break;
                    case TrainingEvent.Step when ctx.Verbose:
                        // Without a live bar, --verbose shows each step on stderr (scripts and tests watch it).
                        ctx.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"epoch {p.Epoch} step {p.Step}/{p.StepsInEpoch} loss {p.Loss:F4}"));
                        break;
                    case TrainingEvent.EpochEnd:
                        if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); }
                        if (jsonLines)
                        {
                            ctx.Output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                            {
                                ["epoch"] = p.Epoch,
                                ["global_step"] = p.GlobalStep,
                                ["phase"] = p.Phase.ToString().ToLowerInvariant(),
                                ["train_loss"] = Num(p.EpochLoss),
                                ["val_loss"] = Num(p.ValLoss),
                                ["lr"] = p.LearningRate,
                                ["val_retrieval"] = p.Retrieval is { } r ? new Dictionary<string, object>
                                {
                                    ["t2a"] = Scores(r.TextToAudio),
                                    ["a2t"] = Scores(r.AudioToText),
                                } : null,
                            }));
                            ctx.Output.Flush();
                        }
                        else if (_live is null)
                            ctx.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"epoch {p.Epoch} ({p.Phase.ToString().ToLowerInvariant()}): train loss {p.EpochLoss:F4}, val loss {p.ValLoss:F4}, lr {p.LearningRate:G3}{Retrieval(p.Retrieval)}"));
                        break;
                    case TrainingEvent.Warning:
                        ctx.Error.WriteLine($"warning: {p.Message}");
                        break;
                    case TrainingEvent.ItemSkipped:
                        ctx.Error.WriteLine($"skipped: {p.Message}");
                        break;
                    case TrainingEvent.PhaseChange or TrainingEvent.Resumed or TrainingEvent.NormCalibrated:
                        ctx.Error.WriteLine(p.Message);
                        break;
                }
            }
        }

        private static double? Num(double v) => double.IsFinite(v) ? v : null;

        private static Dictionary<string, double> Scores(RetrievalScores s) =>
            new() { ["r1"] = s.R1, ["r5"] = s.R5, ["r10"] = s.R10, ["map10"] = s.Map10 };

        private static string Retrieval(RetrievalResult? r) => r is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $", val R@1/R@10 text-to-audio {r.TextToAudio.R1:F3}/{r.TextToAudio.R10:F3}, audio-to-text {r.AudioToText.R1:F3}/{r.AudioToText.R10:F3}");

        private static string Describe(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch} {p.Phase.ToString().ToLowerInvariant()} loss {(double.IsNaN(p.EpochLoss) ? p.Loss : p.EpochLoss):F4} {p.ClipsPerSecond:F1} clips/s");
    }
}
